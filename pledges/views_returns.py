"""National expenditure returns and the dataset list: being built."""

urlpatterns: list = []
