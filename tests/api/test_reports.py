"""#19 "Saya diminta membayar": a resident's report from the status link reaches the
kabupaten's overseer (`pengawas`) and nobody else; the admin sees counts only."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from helpers import DESA_B, PASSWORD, Api, draft

STORY = "Petugas meminta Rp150.000 untuk uang map dan bilang akta tidak akan jadi tanpa itu."
CONTACT = "0813-7777-2468"


@pytest.fixture
def pengawas(services, api_factory) -> Api:
    services.accounts.create_user("inspektorat", "pengawas", None, PASSWORD)
    return api_factory("inspektorat")


def _submitted(api_factory, who: str = "op.a", desa: str | None = None) -> dict:
    op = api_factory(who)
    created = op.create(draft(desa=desa) if desa else draft())
    op.attach_mandatory(created["id"])
    return dict(op.post(f"/api/v1/requests/{created['id']}/submit").get_json())


def _form_id(page: str) -> str:
    found = re.search(r'name="form_id" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _report(client, token: str, form_id: str | None = None, **fields: str):
    if form_id is None:
        form = client.get(f"/cek/{token}/lapor")
        assert form.status_code == 200
        form_id = _form_id(form.get_data(as_text=True))
    data = {
        "form_id": form_id,
        "kind": "diminta_membayar",
        "text": STORY,
        "amount": "150.000",
        "happened_on": "2026-01-05",
        "by_whom": "petugas loket",
        "contact": CONTACT,
        **fields,
    }
    return client.post(f"/cek/{token}/lapor", data=data)


def test_the_status_page_leads_to_a_form_for_the_overseer_not_the_desa(
    app: Flask, api_factory
) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    status = client.get(f"/cek/{request['token']}").get_data(as_text=True)
    assert f'href="/cek/{request["token"]}/lapor"' in status
    form = client.get(f"/cek/{request['token']}/lapor")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert "<script" not in page
    assert "pengawas kabupaten" in page and "bukan</b> kepada kantor desa" in page
    assert "lapor.go.id" in page and "SP4N" in page
    assert form.headers["Cache-Control"].startswith("no-store")


def test_a_report_reaches_the_pengawas_and_no_one_else(
    app: Flask, api_factory, pengawas: Api
) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    sent = _report(client, request["token"])
    assert sent.status_code == 303
    receipt = client.get(sent.headers["Location"])
    number = re.search(r"LPR-[A-Z0-9]{8}", receipt.get_data(as_text=True))
    assert receipt.status_code == 200 and number
    report_id = number.group(0)
    status = client.get(f"/cek/{request['token']}").get_data(as_text=True)
    assert "Laporan Anda diterima" in status and report_id in status and "diterima" in status
    assert STORY not in status and CONTACT not in status

    listed = pengawas.get("/api/v1/reports").get_json()["items"]
    assert [r["id"] for r in listed] == [report_id]
    detail = pengawas.get(f"/api/v1/reports/{report_id}").get_json()
    assert detail["text"] == STORY and detail["contact"] == CONTACT
    assert detail["amount"] == 150_000
    assert detail["request"]["code"] == request["code"]

    for who in ("op.a", "op.b", "dukcapil"):  # the accused desa, another desa, Dukcapil
        other = api_factory(who)
        assert other.get(f"/api/v1/reports/{report_id}").status_code == 404, who
        assert other.get("/api/v1/reports").status_code == 404, who
        followed = other.post(f"/api/v1/reports/{report_id}/followup", json={"note": "x"})
        assert followed.status_code == 404, who
        seen = [
            other.get(f"/api/v1/requests/{request['id']}").get_data(as_text=True),
            other.get(f"/api/v1/requests/{request['id']}/timeline").get_data(as_text=True),
            other.get("/api/v1/requests").get_data(as_text=True),
        ]
        for answer in seen:
            assert report_id not in answer and STORY not in answer and CONTACT not in answer

    admin = api_factory("admin")
    assert admin.get(f"/api/v1/reports/{report_id}").status_code == 404
    summary = admin.get("/api/v1/reports/summary")
    assert summary.status_code == 200
    assert summary.get_json()["counts"] == {"diterima": 1, "ditindaklanjuti": 0, "selesai": 0}
    assert STORY not in summary.get_data(as_text=True)


def test_the_province_role_gets_no_report(app: Flask, services, api_factory) -> None:
    services.accounts.create_user("prov.52", "provinsi", None, PASSWORD, provinsi="52")
    province = api_factory("prov.52")
    for path in ("/api/v1/reports", "/api/v1/reports/summary", "/api/v1/reports/LPR-AAAAAAAA"):
        # The gate refuses the province every route but its own (403), before any service.
        assert province.get(path).status_code == 403


def test_a_form_sent_twice_makes_one_report(app: Flask, api_factory, pengawas: Api) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    form_id = _form_id(client.get(f"/cek/{request['token']}/lapor").get_data(as_text=True))
    first = _report(client, request["token"], form_id)
    again = _report(client, request["token"], form_id)
    assert first.headers["Location"] == again.headers["Location"]
    assert len(pengawas.get("/api/v1/reports").get_json()["items"]) == 1


def test_the_same_words_sent_again_after_back_make_one_report(
    app: Flask, api_factory, pengawas: Api
) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    first = _report(client, request["token"])  # Back reloads the form: a new form id
    again = _report(client, request["token"])
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(pengawas.get("/api/v1/reports").get_json()["items"]) == 1


def test_a_request_takes_three_reports_a_day(app: Flask, api_factory) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    for n in range(3):
        form_id = _form_id(client.get(f"/cek/{request['token']}/lapor").get_data(as_text=True))
        sent = _report(client, request["token"], form_id, text=f"{STORY} Kejadian ke-{n + 1}.")
        assert sent.status_code == 303
    # A double tap on the third: its receipt, not "too many".
    resent = _report(client, request["token"], form_id, text=f"{STORY} Kejadian ke-3.")
    assert resent.status_code == 303 and resent.headers["Location"] == sent.headers["Location"]
    refused = _report(client, request["token"], text=f"{STORY} Kejadian ke-4.")
    assert refused.status_code == 429
    assert "3 kali" in refused.get_data(as_text=True)


def test_a_report_needs_a_story_and_a_kind(app: Flask, api_factory) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    assert _report(client, request["token"], text="   ").status_code == 422
    assert _report(client, request["token"], kind="suap").status_code == 422
    assert _report(client, request["token"], text="x" * 1001).status_code == 422
    assert _report(client, request["token"], contact="bukan kontak").status_code == 422


def test_follow_up_and_close_are_audited_without_the_story(
    app: Flask, api_factory, pengawas: Api, services
) -> None:
    request = _submitted(api_factory)
    client = app.test_client()
    location = _report(client, request["token"]).headers["Location"]
    report_id = location.rsplit("/", 1)[1]
    moved = pengawas.post(
        f"/api/v1/reports/{report_id}/followup",
        json={"note": "Klarifikasi ke desa dijadwalkan.", "status": "ditindaklanjuti"},
    )
    assert moved.status_code == 200 and moved.get_json()["status"] == "ditindaklanjuti"
    no_note = pengawas.post(
        f"/api/v1/reports/{report_id}/followup", json={"note": "", "status": "selesai"}
    )
    assert no_note.status_code == 422
    closed = pengawas.post(
        f"/api/v1/reports/{report_id}/followup",
        json={"note": "Uang dikembalikan; petugas dibina.", "status": "selesai"},
    )
    assert closed.status_code == 200
    again = pengawas.post(
        f"/api/v1/reports/{report_id}/followup", json={"note": "lagi", "status": "ditindaklanjuti"}
    )
    assert again.status_code == 409
    assert again.get_json()["detail"] == (
        "Laporan sudah selesai; tidak dapat ditambah tindak lanjut."
    )
    status = client.get(f"/cek/{request['token']}").get_data(as_text=True)
    assert "status: <b>selesai</b>" in status

    entries = [e for e in services.records.audit_entries(limit=1000) if e.target == report_id]
    assert [(e.action, e.data["status"]) for e in entries if e.action != "report.viewed"] == [
        ("report.created", "diterima"),
        ("report.followup", "ditindaklanjuti"),
        ("report.followup", "selesai"),
    ]
    assert all(e.actor == "inspektorat" for e in entries[1:])
    logged = repr([e.data for e in entries])
    assert STORY not in logged and CONTACT not in logged and "dibina" not in logged


def test_the_report_is_the_accused_kabupatens_and_an_admin_cannot_reach_its_overseer(
    app: Flask, api_factory, pengawas: Api, services
) -> None:
    request = _submitted(api_factory, "op.b", DESA_B)
    client = app.test_client()
    report_id = _report(client, request["token"]).headers["Location"].rsplit("/", 1)[1]
    stored = services.records.get_report(report_id)
    assert stored is not None and stored.kabupaten == "52.03"
    # An admin may not make or reach an overseer's account (it oversees the admin's staff).
    admin = api_factory("admin")
    made = admin.post(
        "/api/v1/users", json={"username": "p2", "role": "pengawas", "password": PASSWORD}
    )
    assert made.status_code in (403, 422)
    assert admin.get("/api/v1/users/inspektorat").status_code == 404


def test_a_dukcapil_officer_finds_no_trace_of_a_report_in_the_audit_log(
    app: Flask, api_factory, pengawas: Api
) -> None:
    request = _submitted(api_factory)
    location = _report(app.test_client(), request["token"]).headers["Location"]
    report_id = location.rsplit("/", 1)[1]
    assert pengawas.get(f"/api/v1/reports/{report_id}").status_code == 200  # report.viewed

    def actions(who: str, **query: str) -> list[str]:
        answer = api_factory(who).get("/api/v1/audit", query_string=query)
        assert answer.status_code == 200, answer.get_json()
        return [e["action"] for e in answer.get_json()["items"]]

    assert not [a for a in actions("dukcapil") if a.startswith("report.")]
    assert actions("dukcapil", request=report_id) == []
    # The admin sees that the report exists and how it moved (ids and statuses only).
    assert "report.created" in actions("admin", request=report_id)
