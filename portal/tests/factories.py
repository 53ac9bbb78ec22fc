import factory

from portal.models import JobRun, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    job_name = "portal.tasks.ping"
    state = "succeeded"


def api_token(user) -> str:
    """A fresh API token for ``user``, issued the way the portal issues them; returns the key."""
    from portal.services import token_create

    return token_create(actor=user)[1]
