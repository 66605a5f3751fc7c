"""scikit-learn reference for dlgo's MNIST benchmark (go run ./cmd/bench).

Trains sklearn's MLPClassifier as dlgo's MLP 784-128-64-10 (ReLU, no
dropout) on MNIST and prints one JSON line of results on stdout.

Settings as dlgo's: solver 'adam' with learning_rate_init 1e-3, betas
0.9/0.999 and epsilon 1e-7; batch_size 128; alpha 0 (no L2 penalty: sklearn's
default is 1e-4); shuffle=True; softmax output with cross-entropy (sklearn's
log-loss). Each epoch is one call of partial_fit, which makes exactly one pass
over all training images in a new random order (random_state is a
RandomState object, so the order changes from epoch to epoch), the last
partial batch included.

dtype: MLPClassifier in sklearn >= 1.1 keeps float32 input in float32 (its
input check accepts float64 and float32, and the weights take the input's
dtype); the images are passed as float32, and the JSON reports the dtype of
the trained weights, so it says what was used.

What is timed (time.perf_counter):
  epoch_seconds  each partial_fit call: the input check sklearn makes on
                 every call (a few milliseconds), the shuffle, the batches'
                 gathering, forward, backward and the Adam updates.
  infer_seconds  each of --infer-runs passes of predict_proba over the test
                 images in batches of --infer-batch (its input check and the
                 softmax included). images_per_second uses the best pass.
test_accuracy is computed from the last pass's probabilities.

Threads: numpy's BLAS (OpenBLAS on Debian) with its defaults, or
OPENBLAS_NUM_THREADS from the environment.

Usage:
  python3 bench/sklearn_mlp.py --data DIR [--epochs 3]
  python3 bench/sklearn_mlp.py --smoke --data DIR

--smoke trains on the first 512 training images for one epoch and infers
once on the first 256 test images. Needs numpy and scikit-learn only.
"""

import json
import os
import platform
import sys
import time
import warnings

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__/ in the repository
from mnist_idx import bench_parser, load_mnist, parse_bench_args  # noqa: E402  (the helper next to this script)

SMOKE_TRAIN, SMOKE_TEST = 512, 256


def parse_args(argv):
    p = bench_parser(__doc__, "only mlp: scikit-learn has no ConvNet")
    return parse_bench_args(p, argv, ("mlp",))


def blas_threads():
    """OpenBLAS (or other BLAS) thread counts, if threadpoolctl is there."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [{"library": i.get("internal_api"), "threads": i.get("num_threads"),
             "version": i.get("version")} for i in threadpool_info()]


def main(argv):
    args = parse_args(argv)
    try:
        import sklearn
        from sklearn.neural_network import MLPClassifier
    except ImportError as e:
        print(f"sklearn_mlp.py: {e}; on Debian: apt-get install python3-sklearn", file=sys.stderr)
        return 3

    xtr, ytr = load_mnist(args.data, "train")
    xte, yte = load_mnist(args.data, "test")
    if args.smoke:
        xtr, ytr, xte, yte = xtr[:SMOKE_TRAIN], ytr[:SMOKE_TRAIN], xte[:SMOKE_TEST], yte[:SMOKE_TEST]
    x, xt = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    classes = np.arange(10)

    model = MLPClassifier(
        hidden_layer_sizes=(128, 64), activation="relu", solver="adam",
        alpha=0.0, batch_size=args.batch_size, learning_rate_init=args.lr,
        beta_1=0.9, beta_2=0.999, epsilon=1e-7, shuffle=True,
        random_state=np.random.RandomState(args.seed),
    )
    epoch_seconds, losses = [], []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        model.partial_fit(x, ytr, classes=classes)
        epoch_seconds.append(time.perf_counter() - t0)
        losses.append(float(model.loss_))

    infer_seconds, probs = [], None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(args.infer_runs):
            t0 = time.perf_counter()
            probs = np.concatenate([model.predict_proba(xt[i:i + args.infer_batch])
                                    for i in range(0, len(xt), args.infer_batch)])
            infer_seconds.append(time.perf_counter() - t0)
    accuracy = float(np.mean(model.classes_[probs.argmax(1)] == yte))

    result = {
        "impl": "sklearn",
        "config": args.label,
        "model": "mlp",
        "dtype": str(model.coefs_[0].dtype),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "train_size": len(x),
        "test_size": len(xt),
        "epoch_seconds": epoch_seconds,
        "train_loss": losses,
        "infer_batch": args.infer_batch,
        "infer_seconds": infer_seconds,
        "images_per_second": len(xt) / min(infer_seconds),
        "test_accuracy": accuracy,
        "threads": 0,
        "info": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "sklearn": sklearn.__version__,
            "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
                    if k in os.environ},
            "blas_threads": blas_threads(),
            "parameters": int(sum(c.size for c in model.coefs_) + sum(b.size for b in model.intercepts_)),
        },
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
