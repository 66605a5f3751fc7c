#!/usr/bin/python3
"""dlgo's defaults against scikit-learn pipelines on tables as people write them.

    /usr/bin/python3 bench/tables/compare.py [--out DIR] [--only NAME,...] [--train BINARY]

Writes the tables into DIR (default bench/tables/out): R's data sets as R
writes them (bench/tables/make_r_tables.R, when Rscript is installed),
pandas' to_csv with its index, a spreadsheet export (semicolons, decimal
commas, CRLF, a byte order mark) and the files scikit-learn ships, each as a
whole table and as an 80/20 train/test split in the same dialect. Then, on
each split, it trains

  - dlgo: `train -data NAME-train.csv -test NAME-test.csv -target T` and no
    other flag (the binary built from ./cmd/train unless --train names one);
  - scikit-learn: median / most-frequent imputation, one-hot encoding and
    standardisation, then LogisticRegression or Ridge, and then
    MLPClassifier or MLPRegressor with their defaults (random_state=1);

and prints one Markdown row per table: the test accuracy (classification)
or R² (regression) of each, dlgo's training time and the rows and columns.
Needs Debian's python3-sklearn and python3-pandas (and r-base-core for the R
tables).
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_wine, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKDATA = os.path.join(os.path.dirname(__import__("sklearn").__file__), "datasets", "data")

# name: (target, task, pandas read_csv keyword arguments, columns pandas
# must drop as identifiers)
R_TABLES = {
    "r-iris": ("Species", "classification", {"index_col": 0}),
    "r-airquality": ("Ozone", "regression", {"index_col": 0}),
    "r-infert": ("case", "classification", {"index_col": 0}),
    "r-chickweight": ("weight", "regression", {}),
    "r-mtcars": ("mpg", "regression", {"sep": r"\s+"}),
    "r-plantgrowth": ("group", "classification", {"sep": "\t"}),
    "r-toothgrowth": ("len", "regression", {"sep": ";", "decimal": ",", "index_col": 0}),
    "r-swiss": ("Fertility", "regression", {"sep": ";", "decimal": ",", "index_col": 0}),
    "r-warpbreaks": ("breaks", "regression", {}),
    "r-quakes": ("mag", "regression", {"index_col": 0}),
}


def split(df, target, task, seed=1):
    strat = df[target] if task == "classification" else None
    return train_test_split(df, test_size=0.2, random_state=seed, stratify=strat)


def write_python_tables(out):
    """pandas- and spreadsheet-style tables, and scikit-learn's own files."""
    tables = {}
    # pandas: to_csv with the index, missing values as empty cells.
    wine = load_wine(as_frame=True).frame
    wine["target"] = wine["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    rng = np.random.default_rng(1)
    for col in ["alcohol", "magnesium", "color_intensity"]:
        wine.loc[rng.random(len(wine)) < 0.1, col] = np.nan
    tables["pandas-wine"] = (wine, "target", "classification", lambda d, f: d.to_csv(f), {"index_col": 0})
    x, y = make_classification(n_samples=100_000, n_features=20, n_informative=8, n_classes=3,
                               flip_y=0.05, random_state=1)
    big = pd.DataFrame(x, columns=[f"f{i}" for i in range(20)]).round(4)
    big["segment"] = np.where(x[:, 0] > 0, "north", "south")
    big["label"] = np.array(["a", "b", "c"])[y]
    tables["pandas-synthetic-100k"] = (big, "label", "classification", lambda d, f: d.to_csv(f), {"index_col": 0})
    # A spreadsheet export: semicolons, decimal commas, CRLF, a BOM.
    diab = load_diabetes(as_frame=True, scaled=False).frame
    diab["sex"] = diab["sex"].map({1.0: "F", 2.0: "M"})
    excel = lambda d, f: d.to_csv(f, sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    tables["excel-diabetes"] = (diab, "target", "regression", excel, {"sep": ";", "decimal": ","})
    for name, (df, target, task, writer, _) in tables.items():
        train, test = split(df, target, task)
        writer(df, os.path.join(out, name + ".csv"))
        writer(train, os.path.join(out, name + "-train.csv"))
        writer(test, os.path.join(out, name + "-test.csv"))
    manifest = {n: (t[1], t[2], t[4]) for n, t in tables.items()}
    # scikit-learn's bundled files, as they are, split keeping their format.
    for name, task in [("iris", "classification"), ("wine_data", "classification"),
                       ("breast_cancer", "classification"), ("boston_house_prices", "regression"),
                       ("digits", "classification")]:
        path = os.path.join(SKDATA, name + (".csv.gz" if name == "digits" else ".csv"))
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            lines = f.read().splitlines()
        if name == "digits":
            pre, header, rows = None, None, lines
        elif name == "boston_house_prices":
            pre, header, rows = lines[0].split(","), lines[1], lines[2:]
        else:
            pre, header, rows = lines[0].split(","), None, lines[1:]
        labels = [r.rsplit(",", 1)[1] for r in rows]
        idx = np.arange(len(rows))
        strat = labels if task == "classification" else None
        tr, te = train_test_split(idx, test_size=0.2, random_state=1, stratify=strat)
        ext = ".csv.gz" if name == "digits" else ".csv"
        for suffix, part in [("", idx), ("-train", np.sort(tr)), ("-test", np.sort(te))]:
            body = []
            if pre is not None:
                body.append(",".join([str(len(part))] + pre[1:]))
            if header is not None:
                body.append(header)
            body += [rows[i] for i in part]
            text = "\n".join(body) + "\n"
            dst = os.path.join(out, "sklearn-" + name + suffix + ext)
            if ext == ".csv.gz":
                with gzip.open(dst, "wt") as f:
                    f.write(text)
            else:
                with open(dst, "w") as f:
                    f.write(text)
        target = "MEDV" if name == "boston_house_prices" else ("x65" if name == "digits" else "target")
        manifest["sklearn-" + name] = (target, task, {"sklearn": True, "ext": ext})
    return manifest


def read_sklearn_file(path):
    """A scikit-learn data file as dlgo names its columns."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = f.read().splitlines()
    first = lines[0].split(",")
    if "digits" in path:
        df = pd.DataFrame([list(map(float, l.split(","))) for l in lines])
        df.columns = [f"x{i + 1}" for i in range(df.shape[1])]
        return df
    if "boston" in path:
        return pd.read_csv(path, skiprows=1)
    df = pd.DataFrame([l.split(",") for l in lines[1:]])
    df.columns = [f"x{i + 1}" for i in range(df.shape[1] - 1)] + ["target"]
    names = first[2:]
    for c in df.columns[:-1]:
        df[c] = df[c].astype(float)
    df["target"] = [names[int(v)] for v in df["target"]]
    return df


def sklearn_scores(train, test, target, task):
    ytr, yte = train.pop(target), test.pop(target)
    keep = ytr.notna()
    train, ytr = train[keep], ytr[keep]
    keep = yte.notna()
    test, yte = test[keep], yte[keep]
    num = [c for c in train.columns if pd.api.types.is_numeric_dtype(train[c])]
    cat = [c for c in train.columns if c not in num]
    # Text columns whose values are all distinct identify rows: left out, as dlgo does.
    cat = [c for c in cat if train[c].nunique() < train[c].notna().sum()]
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), cat),
    ])
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if task == "classification":
            models = {"linear": LogisticRegression(max_iter=5000), "mlp": MLPClassifier(random_state=1, max_iter=500)}
        else:
            models = {"linear": Ridge(), "mlp": MLPRegressor(random_state=1, max_iter=500)}
        for k, est in models.items():
            pipe = make_pipeline(prep, est)
            if task == "regression" and k == "mlp":
                # An MLP regressor needs a standardised target, as dlgo does by itself.
                from sklearn.compose import TransformedTargetRegressor
                pipe = TransformedTargetRegressor(regressor=pipe, transformer=StandardScaler())
            start = time.time()
            pipe.fit(train, ytr)
            pred = pipe.predict(test)
            out[k] = accuracy_score(yte, pred) if task == "classification" else r2_score(yte, pred)
            out[k + "_time"] = time.time() - start
    return out


def dlgo_score(binary, train_path, test_path, target, task, flags=()):
    with tempfile.TemporaryDirectory() as run:
        start = time.time()
        p = subprocess.run([binary, "-data", train_path, "-test", test_path, "-target", target, "-out", run, *flags],
                           capture_output=True, text=True)
        took = time.time() - start
        if p.returncode != 0:
            return {"error": (p.stderr.strip().splitlines() or ["?"])[-1], "time": took}
        with open(os.path.join(run, "metrics.json")) as f:
            m = json.load(f)
        key = "accuracy" if "accuracy" in m["test"] else "r2"
        return {"score": m["test"][key], "metric": key, "time": took, "epochs": m["epochs_run"],
                "best": m.get("best_epoch", 0), "summary": p.stdout}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--only", default="")
    ap.add_argument("--train", default="")
    ap.add_argument("--json", default="")
    ap.add_argument("--flags", default="", help="more train flags, space-separated (for tuning the defaults)")
    ap.add_argument("--no-sklearn", action="store_true", help="skip scikit-learn (for tuning dlgo alone)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = {}
    if shutil.which("Rscript"):
        subprocess.run(["Rscript", os.path.join(HERE, "make_r_tables.R"), args.out], check=True)
        manifest.update({n: v for n, v in R_TABLES.items()})
    else:
        print("Rscript not found: skipping R's tables (apt-get install r-base-core)", file=sys.stderr)
    manifest.update(write_python_tables(args.out))
    binary = args.train
    if not binary:
        binary = os.path.join(args.out, "dlgo-train")
        subprocess.run(["go", "build", "-o", binary, "./cmd/train"], cwd=ROOT, check=True)
    only = set(filter(None, args.only.split(",")))
    results = []
    print("| table | rows × columns | task | metric | dlgo | scikit-learn linear | scikit-learn MLP | dlgo time |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (target, task, kw) in manifest.items():
        if only and name not in only:
            continue
        ext = kw.get("ext", ".csv") if isinstance(kw, dict) else ".csv"
        paths = {s: os.path.join(args.out, name + s + ext) for s in ["", "-train", "-test"]}
        if kw.get("sklearn"):
            full, train, test = (read_sklearn_file(paths[s]) for s in ["", "-train", "-test"])
        else:
            full, train, test = (pd.read_csv(paths[s], **kw) for s in ["", "-train", "-test"])
        sk = {"linear": float("nan"), "mlp": float("nan")}
        if not args.no_sklearn:
            sk = sklearn_scores(train.copy(), test.copy(), target, task)
        dl = dlgo_score(binary, paths["-train"], paths["-test"], target, task, args.flags.split())
        metric = "accuracy" if task == "classification" else "R²"
        shown = f"{dl['score']:.3f}" if "score" in dl else "failed: " + dl["error"]
        print(f"| {name} | {full.shape[0]} × {full.shape[1]} | {task} | {metric} | {shown} | "
              f"{sk['linear']:.3f} | {sk['mlp']:.3f} | {dl['time']:.1f}s |", flush=True)
        results.append({"table": name, "rows": full.shape[0], "task": task, "dlgo": dl.get("score"),
                        "dlgo_error": dl.get("error"), "sklearn_linear": sk["linear"], "sklearn_mlp": sk["mlp"],
                        "dlgo_seconds": dl["time"], "epochs": dl.get("epochs"), "best_epoch": dl.get("best")})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
