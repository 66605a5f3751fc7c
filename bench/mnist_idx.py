"""Reading MNIST's IDX files with gzip and numpy, and the command line the
benchmark scripts share.

The files are the canonical ones (train-images-idx3-ubyte.gz, ...), gzipped
or unpacked, in one directory: the same files dlgo's datasets.LoadMNIST reads.
Pixels are scaled to [0, 1] in float32 exactly as dlgo scales them
(float32(byte) / 255).
"""

import argparse
import gzip
import os

import numpy as np

# IDX element type codes (the third byte of the magic number) and their
# big-endian numpy types.
_IDX_TYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}

_PREFIX = {"train": "train", "test": "t10k"}


def read_idx(path):
    """Return the array stored in the IDX file at path (gzipped or not)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file")
    ndim = data[3]
    dims = np.frombuffer(data, dtype=">i4", count=ndim, offset=4).astype(int)
    dtype = np.dtype(_IDX_TYPES[data[2]])
    count = int(np.prod(dims))
    offset = 4 + 4 * ndim
    if len(data) - offset != count * dtype.itemsize:
        raise ValueError(
            f"{path}: {len(data) - offset} bytes of data for dimensions {list(dims)}"
        )
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(dims)


def _find(data_dir, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{data_dir}: no {name}.gz or {name}")


def load_mnist(data_dir, split):
    """Return (images, labels) of split "train" or "test".

    images is float32 of shape (N, 1, 28, 28) scaled to [0, 1]; labels is
    int64 of shape (N,).
    """
    prefix = _PREFIX[split]
    images = read_idx(_find(data_dir, prefix + "-images-idx3-ubyte"))
    labels = read_idx(_find(data_dir, prefix + "-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{data_dir}: {split} images {images.shape} and labels {labels.shape} do not match"
        )
    x = images.astype(np.float32)
    x /= np.float32(255)  # in place: no second copy of the images
    return x[:, None, :, :], labels.astype(np.int64)


def bench_parser(doc, model_help):
    """An argument parser with the options every benchmark script takes;
    a script adds its own, then calls parse_bench_args."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--data", required=True, help="directory of the MNIST IDX files")
    p.add_argument("--model", default="mlp", help=model_help)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--infer-batch", type=int, default=1000)
    p.add_argument("--infer-runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--label", default="", help="configuration name to put in the JSON")
    p.add_argument("--smoke", action="store_true", help="tiny subset, one epoch, one inference pass")
    return p


def parse_bench_args(p, argv, models):
    """Parse argv with p, check the shared options, and set args.models to
    the requested models, each of which must be in models."""
    args = p.parse_args(argv)
    args.models = args.model.split(",")
    for m in args.models:
        if m not in models:
            p.error(f"unknown model {m!r}: want {' or '.join(models)}")
    if args.epochs < 1 or args.batch_size < 1 or args.infer_batch < 1 or args.infer_runs < 1:
        p.error("epochs, batch size, inference batch and inference runs must be at least 1")
    if args.smoke:
        args.epochs, args.infer_runs = 1, 1
    return args
