#!/usr/bin/env python3
"""PyTorch reference timings for `deno task bench` (lib/tools/bench.ts): seconds per 60,000-image
training epoch of our registered models, built in PyTorch from the same layer list.

Optional: needs PyTorch (Debian: `sudo apt-get install python3-torch`; elsewhere
`pip install torch`). lib/tools/bench.ts sends the job as JSON on stdin:

    {"batch": 64, "warmup": 4, "timed": 32, "threads": 1, "learning_rate": 0.001,
     "models": {"004-tinyvgg": [["Conv2D", {"filters": 10, "kernelSize": [3, 3], ...}], ...]}}

and reads one JSON line per model from stdout:

    {"model": "004-tinyvgg", "params": 7740, "seconds_per_epoch": 15.1}

Inputs are random (timing does not depend on the pixels); the loss is cross-entropy on logits
(the final softmax of a Keras-style model is folded into it, as PyTorch code would write it).
"""
import json
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    sys.stderr.write("PyTorch is not installed. Fix: sudo apt-get install python3-torch (or pip install torch)\n")
    sys.exit(3)

EPOCH_IMAGES = 60000


def pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def activation(name):
    return {"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid()}.get(name)


def build(layers, final_index):
    """nn.Sequential from tfjs layer configs (class name, config), channels first."""
    modules = []
    for index, (kind, cfg) in enumerate(layers):
        act = cfg.get("activation")
        if kind == "Conv2D":
            kernel, stride = pair(cfg["kernelSize"]), pair(cfg.get("strides", 1))
            if cfg.get("padding") == "same":
                padding = "same" if stride == (1, 1) else (kernel[0] // 2, kernel[1] // 2)
            else:
                padding = 0
            modules.append(nn.LazyConv2d(cfg["filters"], kernel, stride=stride, padding=padding))
        elif kind in ("MaxPooling2D", "AveragePooling2D"):
            pool = nn.MaxPool2d if kind == "MaxPooling2D" else nn.AvgPool2d
            size = pair(cfg.get("poolSize", 2))
            modules.append(pool(size, stride=pair(cfg.get("strides") or size)))
        elif kind == "Dense":
            modules.append(nn.LazyLinear(cfg["units"]))
        elif kind == "Flatten":
            modules.append(nn.Flatten())
        elif kind == "Dropout":
            modules.append(nn.Dropout(cfg["rate"]))
        elif kind == "BatchNormalization":
            modules.append(nn.LazyBatchNorm2d(eps=cfg.get("epsilon", 1e-3), momentum=1 - cfg.get("momentum", 0.99)))
        elif kind == "Activation":
            pass
        else:
            raise ValueError(f"layer {kind} has no PyTorch counterpart in this script")
        if index != final_index and activation(act) is not None:
            modules.append(activation(act))
    return nn.Sequential(*modules)


def seconds_per_epoch(layers, job):
    torch.manual_seed(0)
    model = build(layers, len(layers) - 1)
    batch = job["batch"]
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    model(x)  # materialise the lazy layers
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.Adam(model.parameters(), lr=job["learning_rate"])
    loss_fn = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    for _ in range(job["warmup"]):
        step()
    start = time.perf_counter()
    for _ in range(job["timed"]):
        step()
    elapsed = time.perf_counter() - start
    return params, elapsed / (job["timed"] * batch) * EPOCH_IMAGES


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(job.get("threads", 1))
    for name, layers in job["models"].items():
        try:
            params, seconds = seconds_per_epoch(layers, job)
            print(json.dumps({"model": name, "params": params, "seconds_per_epoch": round(seconds, 2)}), flush=True)
        except Exception as error:  # one model that cannot be built must not hide the others
            print(json.dumps({"model": name, "error": str(error)}), flush=True)


if __name__ == "__main__":
    main()
