"""Sample answers shared by tests of the sample apps (fixtures/apps/)."""

from __future__ import annotations

#: A complete construction permit application (one_stop_permit's ``apply`` form), as raw
#: answers: what a browser posts (add the honeypot ``website: ""`` for the portal).
PERMIT_ANSWERS: dict[str, str] = {
    "applicant_name": "Trần Văn Nhà",
    "applicant_id_number": "092088001234",
    "applicant_phone": "0912345678",
    "applicant_email": "nha@example.vn",
    "work_address": "123 Trần Hưng Đạo, Ninh Kiều",
    "district": "ninh_kieu",
    "land_parcel": "125-12",
    "floors": "2",
    "floor_area_m2": "240",
}
