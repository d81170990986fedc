import factory
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "a-strong-test-password-1405"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = "producer"
    preferred_language = "fa"
    is_staff = factory.LazyAttribute(lambda user: user.role == "staff")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            user.save(update_fields=["password"])
            from accounts.services import mark_email_verified

            mark_email_verified(user=user)
