"""Accuracy of the local face check on a small labelled set made from shipped images.

    python -m bench.face_eval [--tolerance 0.6] [--json FILE]

Needs the ``face`` extra plus scikit-image and matplotlib (``make test-face`` installs
them). No image is downloaded: the two people are scikit-image's astronaut (Eileen
Collins) and matplotlib's sample portrait of Grace Hopper; scikit-image's cameraman
(``camera()``, whose face is hidden behind the camera), the cat (``chelsea()``), the cup
(``coffee()``), a flat grey picture and a drawn oval are the pictures without a usable face.

Same-person pairs are one photo against transformed copies of itself (crops, scaling,
brightness, contrast, small rotations, JPEG recompression, mirroring, grey, blur, and
combinations) and copies against each other; different-person pairs are every copy of
one person against every copy of the other. Each picture goes through
``LocalVerifier.faces`` once (as JPEG bytes, like a stored photo) and each pair through
``LocalVerifier.compare``, the rule the check-in uses. The set is tiny and synthetic:
transformed copies of one photo are far more alike than two photos of one person taken
months apart, so real-world accuracy must be measured by a bureau on consented photos.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import statistics
import sys
import time


def _jpeg(image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def sources() -> dict:
    """name → (label, PIL image); label is a person's name or None (no usable face)."""
    import numpy
    from matplotlib import cbook
    from PIL import Image, ImageDraw
    from skimage import data

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        hopper = Image.open(handle).convert("RGB")
    drawing = Image.new("RGB", (320, 400), (200, 160, 120))
    ImageDraw.Draw(drawing).ellipse((80, 80, 240, 280), fill=(230, 190, 160))
    return {
        "astronaut": ("collins", Image.fromarray(data.astronaut())),
        "hopper": ("hopper", hopper),
        "camera": (None, Image.fromarray(data.camera()).convert("RGB")),
        "chelsea": (None, Image.fromarray(data.chelsea())),
        "coffee": (None, Image.fromarray(data.coffee())),
        "grey": (None, Image.fromarray(numpy.full((400, 320, 3), 128, numpy.uint8))),
        "drawing": (None, drawing),
    }


def _crop(image, left, top, right, bottom):
    w, h = image.size
    return image.crop((int(left * w), int(top * h), int(right * w), int(bottom * h)))


def _scale(image, factor):
    w, h = image.size
    return image.resize((max(1, int(w * factor)), max(1, int(h * factor))))


def variants(image) -> dict:
    """name → JPEG bytes of a transformed copy (the face stays inside every crop)."""
    from PIL import ImageEnhance, ImageFilter, ImageOps

    def rotate(im, degrees):
        return im.rotate(degrees, resample=3, expand=False, fillcolor=(0, 0, 0))

    def recompress(im, quality):
        from PIL import Image

        return Image.open(io.BytesIO(_jpeg(im, quality)))

    steps = {
        "original": lambda im: im,
        "crop_centre_80": lambda im: _crop(im, 0.1, 0.1, 0.9, 0.9),
        "crop_top_75": lambda im: _crop(im, 0, 0, 1, 0.75),
        "crop_left_80": lambda im: _crop(im, 0, 0, 0.8, 1),
        "crop_right_80": lambda im: _crop(im, 0.2, 0, 1, 1),
        "scale_0.5": lambda im: _scale(im, 0.5),
        "scale_0.75": lambda im: _scale(im, 0.75),
        "scale_1.5": lambda im: _scale(im, 1.5),
        "scale_2": lambda im: _scale(im, 2),
        "dark_0.6": lambda im: ImageEnhance.Brightness(im).enhance(0.6),
        "bright_1.4": lambda im: ImageEnhance.Brightness(im).enhance(1.4),
        "contrast_0.6": lambda im: ImageEnhance.Contrast(im).enhance(0.6),
        "contrast_1.5": lambda im: ImageEnhance.Contrast(im).enhance(1.5),
        "rotate_+5": lambda im: rotate(im, 5),
        "rotate_-5": lambda im: rotate(im, -5),
        "rotate_+10": lambda im: rotate(im, 10),
        "rotate_-10": lambda im: rotate(im, -10),
        "rotate_+15": lambda im: rotate(im, 15),
        "jpeg_q30": lambda im: recompress(im, 30),
        "jpeg_q10": lambda im: recompress(im, 10),
        "mirror": ImageOps.mirror,
        "grey": lambda im: ImageOps.grayscale(im).convert("RGB"),
        "blur_2": lambda im: im.filter(ImageFilter.GaussianBlur(2)),
        "mirror_dark_crop": lambda im: ImageEnhance.Brightness(
            _crop(ImageOps.mirror(im), 0.1, 0, 0.9, 0.8)
        ).enhance(0.7),
        "rotate_scale_jpeg": lambda im: recompress(_scale(rotate(im, -8), 0.7), 40),
    }
    return {name: _jpeg(step(image)) for name, step in steps.items()}


def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "min": round(min(values), 4),
        "median": round(statistics.median(values), 4),
        "max": round(max(values), 4),
    }


def evaluate(tolerance: float = 0.6) -> dict:
    from corrections.checkin.face import LocalVerifier

    check = LocalVerifier(tolerance)
    pictures = []  # (source, variant, label, faces)
    started = time.perf_counter()
    for source, (label, image) in sources().items():
        for name, data in variants(image).items():
            pictures.append((source, name, label, check.faces(data)))
    seconds = time.perf_counter() - started

    detection = {}
    for source, name, label, faces in pictures:
        row = detection.setdefault(source, {"label": label, "pictures": 0, "faces": {}})
        row["pictures"] += 1
        row["faces"][str(len(faces))] = row["faces"].get(str(len(faces)), 0) + 1
        if len(faces) != (1 if label else 0):
            row.setdefault("unexpected", []).append(f"{name}: {len(faces)} faces")

    people = [p for p in pictures if p[2]]
    faceless = [p for p in pictures if not p[2]]
    same = [
        (a, b) for a, b in itertools.combinations(people, 2) if a[2] == b[2]
    ]  # every copy of one person against every other copy of the same person
    different = [(a, b) for a, b in itertools.combinations(people, 2) if a[2] != b[2]]
    # no usable face: as the new photo against each person's original, and as reference
    originals = [p for p in people if p[1] == "original"]
    no_face = [(ref, new) for ref in originals for new in faceless]
    no_face += [(ref, new) for ref in faceless for new in originals]

    def results(pairs):
        counts, distances, misses = {}, [], []
        for ref, new in pairs:
            outcome, distance = check.compare(ref[3], new[3])
            counts[outcome] = counts.get(outcome, 0) + 1
            if distance is not None:
                distances.append(distance)
            misses.append((f"{ref[0]}/{ref[1]} vs {new[0]}/{new[1]}", outcome, distance))
        return counts, distances, misses

    same_counts, same_d, same_rows = results(same)
    diff_counts, diff_d, diff_rows = results(different)
    none_counts, _, _ = results(no_face)
    return {
        "tolerance": tolerance,
        "pictures": len(pictures),
        "seconds_detecting_and_describing": round(seconds, 1),
        "detection": detection,
        "same_person": {"pairs": len(same), "results": same_counts, "distance": _summary(same_d)},
        "different_people": {
            "pairs": len(different),
            "results": diff_counts,
            "distance": _summary(diff_d),
        },
        "no_usable_face": {"pairs": len(no_face), "results": none_counts},
        "same_person_not_matched": [r for r in same_rows if r[1] != "match"],
        "different_people_matched": [r for r in diff_rows if r[1] == "match"],
        "largest_same_person_distances": sorted(same_rows, key=lambda r: -(r[2] or 0))[:5],
        "smallest_different_people_distances": sorted(diff_rows, key=lambda r: r[2] or 9)[:5],
        "at_other_tolerances": {
            str(t): {
                "same_person_matched": sum(d <= t for d in same_d),
                "different_people_matched": sum(d <= t for d in diff_d),
            }
            for t in (0.4, 0.5, 0.6)
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tolerance", type=float, default=0.6)
    parser.add_argument("--json", default="", help="also write the results to this file")
    args = parser.parse_args(argv)
    report = evaluate(args.tolerance)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
