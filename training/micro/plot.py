"""Draw loss curves of training/runs/<run>/log.jsonl into training/runs/<run>/loss.png (PIL only).

  /usr/bin/python3 -m training.micro.plot --run dit1 --x samples --y loss val_loss_ema --log-y
"""
import argparse
import math
import os

from PIL import Image, ImageDraw

from training.micro.common import RunLog
from training.micro.config import RUNS_DIR

COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)]
W, H, PAD = 640, 400, 60


def plot(records: list[dict], x_key: str, y_keys: list[str], log_y: bool, title: str, path: str) -> None:
    f = (lambda v: math.log10(v)) if log_y else (lambda v: v)
    series = {k: [(r[x_key], f(r[k])) for r in records if r.get(k) is not None and r.get(x_key) is not None]
              for k in y_keys}
    xs = [p[0] for s in series.values() for p in s]
    ys = [p[1] for s in series.values() for p in s]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    px = lambda x: PAD + (x - x0) / (x1 - x0) * (W - 2 * PAD)
    py = lambda y: H - PAD - (y - y0) / (y1 - y0) * (H - 2 * PAD)
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([PAD, PAD, W - PAD, H - PAD], outline=(0, 0, 0))
    for i in range(5):  # ticks
        yv, xv = y0 + (y1 - y0) * i / 4, x0 + (x1 - x0) * i / 4
        label = f"{10 ** yv:.3g}" if log_y else f"{yv:.3g}"
        d.text((4, py(yv) - 5), label, fill=(0, 0, 0))
        d.text((px(xv) - 15, H - PAD + 6), f"{xv:.3g}", fill=(0, 0, 0))
    for k, (key, pts) in enumerate(series.items()):
        color = COLORS[k % len(COLORS)]
        d.line([(px(x), py(y)) for x, y in pts], fill=color, width=2)
        d.text((PAD + 8, PAD + 6 + 14 * k), key, fill=color)
    d.text((PAD, 20), title, fill=(0, 0, 0))
    d.text((W // 2 - 20, H - 22), x_key, fill=(0, 0, 0))
    img.save(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--x", default="samples")
    ap.add_argument("--y", nargs="+", required=True)
    ap.add_argument("--log-y", action="store_true")
    ap.add_argument("--out", default="loss.png")
    args = ap.parse_args()
    run_dir = os.path.join(RUNS_DIR, args.run)
    plot(RunLog(run_dir).read(), args.x, args.y, args.log_y, f"kontext-micro {args.run}",
         os.path.join(run_dir, args.out))


if __name__ == "__main__":
    main()
