"""The desa office's contact (#14): the desa's operator sets it in the app, and the
resident's status page and receipt show it as a number to tap."""

from __future__ import annotations

from helpers import DESA_A, DESA_B, submit_ready

CONTACT = {"phone": "0812-3456-7890", "whatsapp": True, "hours": "Senin–Jumat 08.00–14.00"}


def test_the_operator_sets_the_contact_and_the_resident_can_call_it(api_factory, services) -> None:
    op = api_factory("op.a")
    request = submit_ready(op, services)
    assert op.get(f"/api/v1/desa/{DESA_A}/contact").get_json() == {
        "desa": DESA_A,
        "contact": None,
    }
    page = api_factory(None).get(f"/cek/{request['token']}").get_data(as_text=True)
    assert "Kantor desa" not in page

    saved = op.put(f"/api/v1/desa/{DESA_A}/contact", json=CONTACT)

    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["contact"]["phone"] == "0812-3456-7890"
    page = api_factory(None).get(f"/cek/{request['token']}").get_data(as_text=True)
    assert '<a href="tel:+6281234567890">0812-3456-7890</a>' in page
    assert 'href="https://wa.me/6281234567890"' in page
    assert "Senin–Jumat 08.00–14.00" in page
    receipt = op.get(f"/api/v1/requests/{request['id']}/receipt").get_data(as_text=True)
    assert 'href="tel:+6281234567890"' in receipt
    seen_by_dukcapil = api_factory("dukcapil").get(f"/api/v1/desa/{DESA_A}/contact")
    assert seen_by_dukcapil.get_json()["contact"]["hours"] == CONTACT["hours"]


def test_only_the_desa_and_the_admin_may_change_it(api_factory) -> None:
    own = api_factory("op.a").put(f"/api/v1/desa/{DESA_A}/contact", json=CONTACT)
    assert own.status_code == 200
    other = api_factory("op.b")
    assert other.put(f"/api/v1/desa/{DESA_A}/contact", json=CONTACT).status_code == 404
    assert other.get(f"/api/v1/desa/{DESA_A}/contact").status_code == 404
    refused = api_factory("dukcapil").put(f"/api/v1/desa/{DESA_B}/contact", json=CONTACT)
    assert refused.status_code == 403
    assert "operator desa" in refused.get_json()["detail"]
    admin = api_factory("admin").put(
        f"/api/v1/desa/{DESA_B}/contact", json={**CONTACT, "whatsapp": False}
    )
    assert admin.status_code == 200
    assert api_factory(None).get(f"/api/v1/desa/{DESA_A}/contact").status_code == 401


def test_a_bad_number_is_refused_in_indonesian_and_changes_nothing(api_factory, services) -> None:
    op = api_factory("op.a")
    assert op.put(f"/api/v1/desa/{DESA_A}/contact", json=CONTACT).status_code == 200
    before = len(services.records.audit_entries())

    refused = op.put(f"/api/v1/desa/{DESA_A}/contact", json={**CONTACT, "phone": "12ab"})

    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "Nomor telepon kantor desa" in refused.get_json()["detail"]
    assert (
        op.get(f"/api/v1/desa/{DESA_A}/contact").get_json()["contact"]["phone"]
        == (CONTACT["phone"])
    )
    # Sending the same contact again (a retry) writes nothing and logs nothing.
    assert op.put(f"/api/v1/desa/{DESA_A}/contact", json=CONTACT).status_code == 200
    assert len(services.records.audit_entries()) == before
    assert api_factory("op.a").put("/api/v1/desa/99.99/contact", json=CONTACT).status_code == 404
