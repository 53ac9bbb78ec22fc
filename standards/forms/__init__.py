"""Standards' forms (input only; the services decide), one module per subject."""

from standards.forms.reviews import (  # noqa: F401 - re-exported
    DomainEditForm,
    DomainForm,
    ProposalDecideForm,
    ProposalSubmitForm,
    RequirementAddForm,
    RequirementRemoveForm,
    ReviewCompleteForm,
    ReviewOpenForm,
    ReviewStartForm,
    UnmatchedResolveForm,
)
