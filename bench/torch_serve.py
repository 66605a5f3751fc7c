"""The peer of dlgo's serving benchmark (go run ./cmd/servebench): dlgo model
files served by FastAPI + uvicorn + PyTorch, with the Open Inference Protocol
endpoints cmd/serve answers (the subset the benchmark uses):

  GET  /v2/health/ready
  POST /v2/models/{name}/infer   {"inputs": [{"name": "input", "datatype": "FP32",
                                   "shape": [n, ...], "data": [...]}]}
        -> {"model_name", "model_version", "outputs": [logits, probabilities, class]}

The models are read from the same .dlgo files dlgo serves (a .dlgo file is a
NumPy .npz archive: model.json and one array per parameter) and rebuilt as a
torch.nn.Sequential with the same weights, so both servers compute the same
function. Supported layers: dense, conv2d, maxpool2d, flatten, dropout (off at
inference), with linear, relu, tanh, sigmoid and, as the output, softmax.

The handler is written the fast way for FastAPI: it reads the raw body and
parses it with json.loads instead of declaring a pydantic model (whose
validation of tens of thousands of floats would dominate), predicts under
torch.inference_mode(), and returns a pre-serialised JSON response.

Usage (uvicorn starts --workers processes, each with the models loaded and
torch.set_num_threads(--threads)):
  python3 bench/torch_serve.py --model mlp=runs/mlp.dlgo --model convnet=cnn.dlgo \
      --port 8081 --workers 2 --threads 1

Needs numpy, torch, fastapi and uvicorn; on Debian:
apt-get install python3-torch python3-fastapi python3-uvicorn.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

MODELS_ENV = "DLGO_TORCH_SERVE_MODELS"  # name=path,... for the worker processes
THREADS_ENV = "DLGO_TORCH_SERVE_THREADS"


def load_dlgo(path):
    """Rebuilds a dlgo model file as (torch module, spec, output activation)."""
    f = np.load(path)
    spec = json.loads(bytes(f["model.json"]))["spec"]
    layers, act = [], "linear"
    for i, l in enumerate(spec["layers"]):
        t, name = l["type"], l["name"]
        if t == "dense":
            lin = torch.nn.Linear(*f[name + "/kernel"].shape)
            lin.weight.data = torch.from_numpy(np.ascontiguousarray(f[name + "/kernel"].T))
            lin.bias.data = torch.from_numpy(f[name + "/bias"])
            layers.append(lin)
        elif t == "conv2d":
            k = f[name + "/kernel"]
            pad = l.get("padding", 0)
            if pad == "same":
                pad = (k.shape[2] - 1) // 2
            conv = torch.nn.Conv2d(k.shape[1], k.shape[0], k.shape[2], stride=l.get("stride", 1), padding=pad)
            conv.weight.data = torch.from_numpy(k)
            conv.bias.data = torch.from_numpy(f[name + "/bias"])
            layers.append(conv)
        elif t == "maxpool2d":
            layers.append(torch.nn.MaxPool2d(l["kernel"], stride=l.get("stride") or l["kernel"]))
        elif t == "flatten":
            layers.append(torch.nn.Flatten())
        elif t == "dropout":
            continue
        else:
            sys.exit(f"torch_serve: {path}: layer {name}: type {t} is not supported here")
        a = l.get("activation", "linear")
        last = i == len(spec["layers"]) - 1
        if last:
            act = a
        elif a == "relu":
            layers.append(torch.nn.ReLU())
        elif a == "tanh":
            layers.append(torch.nn.Tanh())
        elif a == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        elif a not in ("linear", ""):
            sys.exit(f"torch_serve: {path}: layer {name}: activation {a} is not supported here")
    if act not in ("softmax", "linear"):
        sys.exit(f"torch_serve: {path}: output activation {act} is not supported here")
    module = torch.nn.Sequential(*layers).eval()
    return module, spec, act


def make_app(model_paths):
    app = FastAPI()
    served = {}
    for name, path in model_paths.items():
        module, spec, act = load_dlgo(path)
        classes = spec.get("classes") or [str(i) for i in range(spec["layers"][-1].get("units", 0))]
        served[name] = (module, spec["input"], act, classes)

    @app.get("/v2/health/ready")
    async def ready():
        return {"ready": True}

    @app.post("/v2/models/{name}/infer")
    async def infer(name: str, request: Request):
        if name not in served:
            return JSONResponse({"error": f"no model {name!r}"}, status_code=404)
        module, input_shape, act, classes = served[name]
        try:
            req = json.loads(await request.body())
            inp = req["inputs"][0]
            shape = inp["shape"]
            if inp.get("datatype") != "FP32" or list(shape[1:]) != list(input_shape):
                raise ValueError(f"want FP32 of shape [-1, {input_shape}]")
            x = torch.from_numpy(np.asarray(inp["data"], dtype=np.float32).reshape(shape))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            return JSONResponse({"error": f"bad request: {e}"}, status_code=400)
        with torch.inference_mode():
            logits = module(x)
            probs = F.softmax(logits, dim=1) if act == "softmax" else logits
            idx = logits.argmax(dim=1)
        n = shape[0]
        body = json.dumps({
            "model_name": name, "model_version": "1",
            "outputs": [
                {"name": "logits", "datatype": "FP32", "shape": list(logits.shape), "data": logits.flatten().tolist()},
                {"name": "probabilities", "datatype": "FP32", "shape": list(probs.shape), "data": probs.flatten().tolist()},
                {"name": "class", "datatype": "BYTES", "shape": [n], "data": [classes[i] for i in idx.tolist()]},
            ],
        })
        return Response(body, media_type="application/json")

    return app


def set_nodelay_on_every_tcp_socket():
    """Makes asyncio set TCP_NODELAY on every TCP connection.

    With several workers, uvicorn 0.17 binds the listening socket as
    socket.socket(AF_INET), whose proto is 0, and asyncio sets TCP_NODELAY only
    on sockets whose proto is IPPROTO_TCP: every answer then waits about 40 ms
    for the client's delayed ACK (Nagle's algorithm). A tuned deployment sets it.
    """
    import asyncio.base_events
    import socket

    def set_nodelay(sock):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    asyncio.base_events._set_nodelay = set_nodelay


def worker_app():
    """The app of one uvicorn worker process, configured by the environment."""
    set_nodelay_on_every_tcp_socket()
    threads = int(os.environ.get(THREADS_ENV, "0"))
    if threads > 0:
        torch.set_num_threads(threads)
    paths = dict(kv.split("=", 1) for kv in os.environ[MODELS_ENV].split(","))
    return make_app(paths)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", required=True, help="NAME=FILE.dlgo, repeatable")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads(N) in each worker if N > 0")
    a = p.parse_args(argv)
    for m in a.model:
        if "=" not in m:
            p.error(f"--model {m}: want NAME=FILE")
    os.environ[MODELS_ENV] = ",".join(a.model)
    os.environ[THREADS_ENV] = str(a.threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import uvicorn
    uvicorn.run("torch_serve:worker_app", factory=True, host=a.host, port=a.port, workers=a.workers,
                access_log=False, log_level="warning")


if __name__ == "__main__":
    sys.dont_write_bytecode = True  # no __pycache__/ in the repository
    main(sys.argv[1:])
