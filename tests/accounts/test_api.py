"""Users, producers and buyers over the API, per role, including other users' objects by id."""

import pytest

from accounts.models import BuyerProfile, ProducerProfile
from counsellors.models import CounsellorProfile
from tests.matchmaking.lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db
CONTACTS = ("email", "phone", "contact_name", "website")


def contacts(payload: dict) -> dict:
    return {field: payload[field] for field in CONTACTS}


# --- /api/v1/users/ ---------------------------------------------------------


@pytest.mark.parametrize("role", [None, "producer", "buyer", "counsellor"])
def test_only_staff_create_users(api, make_user, role):
    user = make_user(role) if role else None
    response = api(user).post(
        "/api/v1/users/", {"email": "new@example.com", "password": "a-Strong-pass-1405", "role": "counsellor"}
    )
    assert response.status_code in (401, 403)


def test_staff_creates_a_verified_counsellor_who_gets_a_token(api, make_user):
    staff = make_user("staff")
    response = api(staff).post(
        "/api/v1/users/",
        {
            "email": "Counsellor.Iraq@example.com",
            "password": "a-Strong-pass-1405",
            "role": "counsellor",
            "full_name": "Counsellor in Baghdad",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "counsellor.iraq@example.com"
    assert "password" not in response.json()
    token = api().post(
        "/api/v1/auth/token/", {"email": "counsellor.iraq@example.com", "password": "a-Strong-pass-1405"}
    )
    assert token.status_code == 200


def test_user_creation_reports_each_bad_field(api, make_user):
    staff = make_user("staff")
    make_user("buyer", email="taken@example.com")
    response = api(staff).post(
        "/api/v1/users/", {"email": "taken@example.com", "password": "123", "role": "emperor"}
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"role"}
    response = api(staff).post(
        "/api/v1/users/", {"email": "taken@example.com", "password": "123", "role": "buyer"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


# --- /api/v1/producers/ -----------------------------------------------------


def test_anyone_lists_producers_without_contacts(api, producer_profile):
    producer_profile()
    response = api().get("/api/v1/producers/")
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["name"] == "Azar Appliances"
    assert item["sectors"] == ["8418"] and item["target_markets"] == ["AM", "IQ"]
    assert contacts(item) == dict.fromkeys(CONTACTS)


@pytest.mark.parametrize(
    ("viewer", "sees_contacts"),
    [
        ("anonymous", False),
        ("owner", True),
        ("other_producer", False),
        ("buyer", False),
        ("counsellor", True),  # posted in a market the producer targets
        ("counsellor_covering", True),  # covers one
        ("counsellor_elsewhere", False),  # neither, and no match with the producer
        ("staff", True),
    ],
)
def test_producer_contacts_per_role(api, make_user, producer_profile, viewer, sees_contacts):
    owner = make_user("producer")
    profile = producer_profile(owner)
    user = {"anonymous": None, "owner": owner, "other_producer": make_user("producer")}.get(viewer)
    if viewer in ("buyer", "staff"):
        user = make_user(viewer)
    elif viewer.startswith("counsellor"):
        posted, covered = {"counsellor": ("IQ", ()), "counsellor_covering": ("DE", ("AM",))}.get(
            viewer, ("DE", ())
        )
        user = make_counsellor(posted, covered)
    payload = api(user).get(f"/api/v1/producers/{profile.pk}/").json()
    if sees_contacts:
        assert contacts(payload)["email"] == "sales@azar.example"
        assert payload["phone"] == "+98 41 3333 4444"
    else:
        assert contacts(payload) == dict.fromkeys(CONTACTS)


def test_a_producer_creates_its_own_profile_once(api, make_user, sectors):
    producer = make_user("producer")
    response = api(producer).post(
        "/api/v1/producers/", {"name": "Sahand Foods", "target_markets": ["ru", "AZ"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["owner"] == producer.pk and response.json()["target_markets"] == ["AZ", "RU"]
    again = api(producer).post("/api/v1/producers/", {"name": "Second"}, format="json")
    assert again.status_code == 400 and "owner" in again.json()


@pytest.mark.parametrize("role", ["buyer", "counsellor"])
def test_other_roles_cannot_create_producer_profiles(api, make_user, role):
    response = api(make_user(role)).post("/api/v1/producers/", {"name": "X"}, format="json")
    assert response.status_code == 403


def test_anonymous_cannot_create(api):
    assert api().post("/api/v1/producers/", {"name": "X"}, format="json").status_code in (401, 403)


def test_mass_assignment_of_owner_and_verified_is_refused(api, make_user, producer_profile):
    producer, victim = make_user("producer"), make_user("producer")
    response = api(producer).post("/api/v1/producers/", {"name": "X", "owner": victim.pk}, format="json")
    # Another user's id is "does not exist" to a non-staff caller (tests/security/test_id_oracles.py).
    assert response.status_code == 400 and "owner" in response.json()
    assert not ProducerProfile.objects.filter(owner=victim).exists()

    response = api(producer).post("/api/v1/producers/", {"name": "X", "verified": True}, format="json")
    assert response.status_code == 400 and "verified" in response.json()
    assert not ProducerProfile.objects.filter(owner=producer).exists()

    profile = producer_profile(producer)
    for field, value in [("verified", True), ("owner", victim.pk)]:
        response = api(producer).patch(f"/api/v1/producers/{profile.pk}/", {field: value}, format="json")
        assert response.status_code in (400, 403), field
    profile.refresh_from_db()
    assert profile.owner == producer and profile.verified is False

    response = api(producer).patch(f"/api/v1/producers/{profile.pk}/", {"role": "staff"}, format="json")
    producer.refresh_from_db()
    assert producer.role == "producer"


def test_staff_creates_a_profile_for_a_producer_but_do_not_switch_verified(api, make_user, sectors):
    staff, owner = make_user("staff"), make_user("producer")
    # Issue 17: `verified` follows the verification review (accounts.verifications).
    response = api(staff).post(
        "/api/v1/producers/", {"owner": owner.pk, "name": "Arak Pumps", "verified": True}, format="json"
    )
    assert response.status_code == 400 and "verified" in response.json()
    response = api(staff).post("/api/v1/producers/", {"owner": owner.pk, "name": "Arak Pumps"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["verified"] is False and response.json()["verified_at"] is None
    assert response.json()["owner"] == owner.pk


def test_staff_cannot_give_a_buyer_a_producer_profile(api, make_user):
    response = api(make_user("staff")).post(
        "/api/v1/producers/", {"owner": make_user("buyer").pk, "name": "X"}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()


@pytest.mark.parametrize(
    ("editor", "expected"),
    [("owner", 200), ("staff", 200), ("other_producer", 403), ("buyer", 403), ("counsellor", 403)],
)
def test_who_may_edit_a_producer(api, make_user, producer_profile, editor, expected):
    owner = make_user("producer")
    profile = producer_profile(owner)
    user = owner if editor == "owner" else make_user("producer" if editor == "other_producer" else editor)
    response = api(user).patch(f"/api/v1/producers/{profile.pk}/", {"city": "Marand"}, format="json")
    assert response.status_code == expected
    profile.refresh_from_db()
    assert (profile.city == "Marand") == (expected == 200)


def test_delete_by_id_only_by_owner_or_staff(api, make_user, producer_profile):
    owner = make_user("producer")
    profile = producer_profile(owner)
    assert api(make_user("producer")).delete(f"/api/v1/producers/{profile.pk}/").status_code == 403
    assert api(owner).delete(f"/api/v1/producers/{profile.pk}/").status_code == 204
    assert not ProducerProfile.objects.filter(pk=profile.pk).exists()


def test_put_is_not_offered(api, make_user, producer_profile):
    owner = make_user("producer")
    profile = producer_profile(owner)
    assert api(owner).put(f"/api/v1/producers/{profile.pk}/", {"name": "X"}, format="json").status_code == 405


def test_producer_me(api, make_user, producer_profile):
    owner = make_user("producer")
    assert api(owner).get("/api/v1/producers/me/").status_code == 404
    profile = producer_profile(owner)
    response = api(owner).get("/api/v1/producers/me/")
    assert response.status_code == 200 and response.json()["id"] == profile.pk
    response = api(owner).patch("/api/v1/producers/me/", {"employees": 120}, format="json")
    assert response.status_code == 200 and response.json()["employees"] == 120
    assert api(make_user("buyer")).get("/api/v1/producers/me/").status_code == 404
    assert api().get("/api/v1/producers/me/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_markets", ["XX"]),
        ("sectors", ["7701"]),
        ("sectors", ["abc"]),
        ("employees", -5),
        ("founded", 3000),
        ("email", "not-an-email"),
        ("website", "javascript:alert(1)"),
        ("phone", "call me"),
        ("certifications", ["<script>"]),
        ("languages", ["xx"]),
        ("name", ""),
        ("name", "x" * 201),
    ],
)
def test_bad_producer_input_is_a_400_on_its_field(api, make_user, producer_profile, field, value):
    owner = make_user("producer")
    profile = producer_profile(owner)
    response = api(owner).patch(f"/api/v1/producers/{profile.pk}/", {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field]


# --- /api/v1/buyers/ --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, (401, 403)),
        ("producer", (403,)),
        ("buyer", (403,)),
        ("counsellor", (200,)),
        ("counsellor_elsewhere", (200,)),
        ("staff", (200,)),
    ],
)
def test_who_lists_buyers(api, make_user, buyer_profile, role, expected):
    buyer_profile()
    response = api(viewer_for(make_user, role) if role else None).get("/api/v1/buyers/")
    assert response.status_code in expected
    if response.status_code == 200:
        results = response.json()["results"]
        if role == "counsellor_elsewhere":  # the Iraqi buyer is not in a German desk's scope
            assert results == []
        else:
            assert results[0]["email"] == "buy@baghdad.example"


def viewer_for(make_user, role):
    """A user of `role`; a counsellor posted in the buyers' market (Iraq), or elsewhere."""
    if role not in ("counsellor", "counsellor_elsewhere"):
        return make_user(role)
    user = make_user("counsellor")
    CounsellorProfile.objects.create(user=user, posted_country="IQ" if role == "counsellor" else "DE")
    return user


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("owner", 200),
        ("counsellor", 200),
        ("counsellor_elsewhere", 404),
        ("staff", 200),
        ("other_buyer", 404),
        ("producer", 404),
        ("anonymous", 401),
    ],
)
def test_who_reads_a_buyer_by_id(api, make_user, buyer_profile, viewer, expected):
    owner = make_user("buyer")
    profile = buyer_profile(owner)
    user = {"owner": owner, "anonymous": None, "other_buyer": make_user("buyer")}.get(viewer)
    if viewer in ("counsellor", "counsellor_elsewhere", "staff", "producer"):
        user = viewer_for(make_user, viewer)
    response = api(user).get(f"/api/v1/buyers/{profile.pk}/")
    assert response.status_code in ((401, 403) if expected == 401 else (expected,))
    if expected == 200:
        assert response.json()["email"] == "buy@baghdad.example"
        assert response.json()["sought_sectors"] == ["8418"] and response.json()["country"] == "IQ"


@pytest.mark.parametrize(
    ("editor", "expected"), [("owner", 200), ("staff", 200), ("counsellor", 403), ("other_buyer", 404)]
)
def test_who_edits_a_buyer(api, make_user, buyer_profile, editor, expected):
    owner = make_user("buyer")
    profile = buyer_profile(owner)
    user = (
        owner if editor == "owner" else viewer_for(make_user, "buyer" if editor == "other_buyer" else editor)
    )
    response = api(user).patch(f"/api/v1/buyers/{profile.pk}/", {"city": "Basra"}, format="json")
    assert response.status_code == expected
    profile.refresh_from_db()
    assert (profile.city == "Basra") == (expected == 200)


def test_buyer_creates_its_profile_and_reads_me(api, make_user, sectors):
    buyer = make_user("buyer")
    assert api(buyer).get("/api/v1/buyers/me/").status_code == 404
    response = api(buyer).post(
        "/api/v1/buyers/",
        {"company_name": "Tbilisi Appliance House", "country": "GE", "sought_sectors": ["84"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api(buyer).get("/api/v1/buyers/me/").json()["company_name"] == "Tbilisi Appliance House"
    assert (
        api(make_user("producer"))
        .post("/api/v1/buyers/", {"company_name": "X", "country": "GE"}, format="json")
        .status_code
        == 403
    )


def test_buyer_cannot_create_a_profile_for_someone_else(api, make_user):
    buyer, other = make_user("buyer"), make_user("buyer")
    response = api(buyer).post(
        "/api/v1/buyers/", {"company_name": "X", "country": "GE", "owner": other.pk}, format="json"
    )
    # As for an id that names nobody: the answer says nothing of other users.
    assert response.status_code == 400 and "owner" in response.json()
    assert not BuyerProfile.objects.filter(owner=other).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"country": "ZZ"}, "country"),
        ({"annual_demand": "NaN"}, "annual_demand"),
        ({"annual_demand": "Infinity"}, "annual_demand"),
        ({"annual_demand": "-3"}, "annual_demand"),
        ({"typical_order": "900000"}, "typical_order"),
        ({"demand_unit": "barrels"}, "demand_unit"),
        ({"sought_sectors": ["8418", "0000"]}, "sought_sectors"),
        ({"required_certifications": ["x" * 40]}, "required_certifications"),
    ],
)
def test_bad_buyer_input_is_a_400_on_its_field(api, make_user, buyer_profile, data, field):
    owner = make_user("buyer")
    profile = buyer_profile(owner)
    response = api(owner).patch(f"/api/v1/buyers/{profile.pk}/", data, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
