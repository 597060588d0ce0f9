"""Image uploads: the memory each kind of upload costs to check and re-encode.

Each case runs ``newsroom.images.clean_image`` in a fresh Python process of its own and
reports the peak resident memory above that process's high-water mark before the call
(Django and Pillow loaded, the upload's bytes read), so one case's garbage never counts
against another.
Target (docs/operations.md): no accepted upload costs more than 250 MB, and a refused
one almost nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .stack import ROOT

TARGET_MB = 250

MEASURE = r"""
import io, json, os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
import django
django.setup()
from django.core.exceptions import ValidationError
from newsroom.images import clean_image
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    result = clean_image(io.BytesIO(data))
    outcome = f"stored {result.width}x{result.height}"
except ValidationError as error:
    outcome = "refused: " + error.code
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"extra_mb": round((peak - base) / 1024, 1), "outcome": outcome}))
"""


def _cases(folder: Path, quick: bool) -> dict[str, Path]:
    from PIL import Image

    def photo(name: str, size: tuple[int, int], fmt: str) -> Path:
        # A smooth picture with grain: compresses like a photo, not like flat colour.
        small = Image.merge("RGB", [Image.linear_gradient("L").rotate(a) for a in (0, 90, 180)])
        grain = Image.effect_noise((256, 256), 24).convert("RGB")
        picture = Image.blend(small, grain, 0.15).resize(size, Image.Resampling.BICUBIC)
        path = folder / f"{name}.{fmt.lower()}"
        picture.save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        return path

    def bilevel(name: str, side: int) -> Path:
        path = folder / f"{name}.png"
        Image.new("1", (side, side)).save(path, optimize=True)
        return path

    cases = {
        "12 MP phone JPEG (4000x3000)": photo("phone", (4000, 3000), "JPEG"),
        "16.8 MP PNG (4096x4096), the lossless limit": photo("png", (4096, 4096), "PNG"),
        "6,200 x 6,200 PNG, a few KB (refused)": bilevel("bomb", 6200),
    }
    if not quick:
        cases["45 MP camera JPEG (8256x5504)"] = photo("camera", (8256, 5504), "JPEG")
    return cases


def run(stack: Any = None, *, quick: bool, runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"target_mb": TARGET_MB, "cases": {}}
    with tempfile.TemporaryDirectory(prefix="newsroom-images-") as folder:
        for label, path in _cases(Path(folder), quick).items():
            measured = []
            for _ in range(runs):
                done = subprocess.run(
                    [sys.executable, "-c", MEASURE, str(path)],
                    cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
                    env={"DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin"},
                )  # fmt: skip
                measured.append(json.loads(done.stdout.strip().splitlines()[-1]))
            figures["cases"][label] = {
                "file_mb": round(path.stat().st_size / 1e6, 2),
                "outcome": measured[-1]["outcome"],
                "extra_mb_max": max(m["extra_mb"] for m in measured),
            }
    return figures


if __name__ == "__main__":  # ``python -m benchmarks.images``: no servers needed
    print(json.dumps(run(quick="--quick" in sys.argv, runs=1), indent=1))
