"""Reading MNIST's IDX files with gzip and numpy, for the benchmark scripts.

The files are the canonical ones (train-images-idx3-ubyte.gz, ...), gzipped
or unpacked, in one directory: the same files dlgo's datasets.LoadMNIST reads.
Pixels are scaled to [0, 1] in float32 exactly as dlgo scales them
(float32(byte) / 255).
"""

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
