"""Made-up visit photos on a few field visits, as a phone would send them."""

from __future__ import annotations

from sqlalchemy import select

from corrections.auth.models import User
from corrections.extensions import db


def _demo_photo(index: int, size: tuple[int, int], orientation: int | None = None):
    """A made-up visit photo (a house front: wall, door, window), as a phone would send it:
    a large JPEG, sometimes turned by its EXIF orientation."""
    import io

    from PIL import Image, ImageDraw
    from werkzeug.datastructures import FileStorage

    walls = [(214, 196, 170), (188, 204, 214), (222, 214, 190), (200, 188, 200)]
    width, height = size
    image = Image.new("RGB", size, (150, 190, 225))  # sky
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(110, 110, 105))  # road
    draw.rectangle(
        (width // 8, height // 4, width * 7 // 8, height * 5 // 6), fill=walls[index % 4]
    )
    draw.rectangle(
        (width * 2 // 5, height // 2, width * 3 // 5, height * 5 // 6), fill=(120, 70, 40)
    )
    draw.rectangle((width // 5, height * 2 // 5, width // 3, height * 3 // 5), fill=(90, 130, 170))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    out.seek(0)
    return FileStorage(stream=out, filename=f"IMG_20261{index:03d}.jpg")


def load_demo_photos() -> int:
    """Visit photos on the newest field visits of a few open cases (both programmes): two
    each, sent from a phone (large, one taken sideways). Idempotent: a contact that has
    photos gets none again."""
    from corrections.paperwork import attachments
    from corrections.paperwork.models import Attachment
    from corrections.resettlement.models import ResettlementCase, ResettlementContact
    from corrections.supervision.models import Contact, CorrectionCase

    picks = []
    for contact_model, case_model, limit in (
        (Contact, CorrectionCase, 3),
        (ResettlementContact, ResettlementCase, 1),
    ):
        picks += (
            db.session.execute(
                select(contact_model)
                .join(case_model, case_model.id == contact_model.case_id)
                .where(case_model.status == "active", contact_model.kind == "field_visit")
                .order_by(contact_model.occurred_on.desc(), contact_model.id.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
    made = 0
    for n, contact in enumerate(picks):
        programme = "correction" if isinstance(contact, Contact) else "resettlement"
        if db.session.execute(
            select(Attachment.id).where(
                Attachment.programme == programme, Attachment.contact_id == contact.id
            )
        ).first():
            continue
        recorder = db.session.get(User, contact.recorded_by_id)
        photos = attachments.spool_photos(
            [_demo_photo(2 * n, (2400, 1800)), _demo_photo(2 * n + 1, (2400, 1800), 6)]
        )
        made += len(attachments.attach_photos(recorder, contact, photos))
    return made
