"""Time the photo stage: N phone-sized photos (4032x3024 JPEGs with EXIF
orientation and GPS, noisy like a real picture) as covers and body images.

    python3 bench/photos.py --photos 11

Prints the seconds of a cold build (no cache), of a full build whose photos
are all in the cache (public/ deleted), and the size of public/ against the
photos' own size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from branchboard.build.pipeline import Options, build  # noqa: E402


def phone_photo(seed: int) -> bytes:
    size = (4032, 3024)
    noise = [Image.effect_noise(size, 40 + 5 * ((seed + i) % 4)) for i in range(3)]
    image = Image.merge("RGB", noise)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (37.0, 51.0, 12.5), 3: "E", 4: (112.0, 32.0, 41.2)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75, exif=exif)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        (root / "content/news/images").mkdir(parents=True)
        (root / "site.yaml").write_text("title: 测试\nsections: [news]\n", encoding="utf-8")
        total = 0
        for i in range(args.photos):
            data = phone_photo(i)
            total += len(data)
            (root / f"content/news/images/p{i}.jpg").write_bytes(data)
            (root / f"content/news/a{i}.md").write_text(
                f"---\ntitle: 文章{i}\ndate: 2026-11-{i % 28 + 1:02d}\ncover: images/p{i}.jpg\n---\n"
                f"正文。\n\n![照片](images/p{i}.jpg)\n", encoding="utf-8")
        options = Options(site_dir=root, now=dt.datetime(2026, 11, 29))
        started = time.perf_counter()
        cold = build(options)
        cold_s = time.perf_counter() - started
        shutil.rmtree(root / "public")
        started = time.perf_counter()
        warm = build(options)
        warm_s = time.perf_counter() - started
        public = sum(p.stat().st_size for p in (root / "public").rglob("*") if p.is_file())
        print(f"{args.photos} photos, {total / 1e6:.1f} MB: cold build {cold_s:.2f} s ({cold.photos_made} made), "
              f"photos cached {warm_s:.2f} s ({warm.photos_made} made); public/ {public / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
