#!/usr/bin/env python3
"""PyTorch twin of our models, built in PyTorch from the same layer list: reference timings for
`deno task bench` (lib/tools/bench.ts), seconds per 60,000-image training epoch; and, with a "train" job
(lib/tools/cross_framework.ts), real training runs of one recipe over several seeds on the real data,
with PyTorch's own defaults (initialisation, SGD, CrossEntropyLoss), to set against ours.

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
import warnings

warnings.filterwarnings("ignore", message="Lazy modules are a new feature")

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


def load_subset(images_path, labels_path):
    """Images (uint8, N x 784) and labels (uint8) from raw files, as float tensors in [0, 1]."""
    import numpy as np

    labels = np.fromfile(labels_path, dtype=np.uint8).astype(np.int64)
    images = np.fromfile(images_path, dtype=np.uint8).reshape(len(labels), 1, 28, 28).astype(np.float32) / 255.0
    return torch.from_numpy(images), torch.from_numpy(labels)


def train_seeds(job):
    """Train the "train" job's recipe once per seed; print one JSON line per seed."""
    spec = job["train"]
    x_train, y_train = load_subset(spec["train_images"], spec["train_labels"])
    x_test, y_test = load_subset(spec["test_images"], spec["test_labels"])
    layers = job["models"][spec["model"]]
    batch = spec["batch"]
    for seed in spec["seeds"]:
        start = time.perf_counter()
        torch.manual_seed(seed)
        model = build(layers, len(layers) - 1)
        model(x_train[:1])  # materialise the lazy layers: PyTorch's default initialisation, seeded
        if spec["optimizer"] == "sgd":
            optimizer = torch.optim.SGD(model.parameters(), lr=spec["learning_rate"])
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=spec["learning_rate"])
        loss_fn = nn.CrossEntropyLoss()
        shuffle = torch.Generator().manual_seed(seed)
        history = []
        for _ in range(spec["epochs"]):
            model.train()
            order = torch.randperm(len(y_train), generator=shuffle)
            loss_sum, correct = 0.0, 0
            for first in range(0, len(y_train), batch):
                index = order[first:first + batch]
                scores = model(x_train[index])
                loss = loss_fn(scores, y_train[index])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                loss_sum += loss.item() * len(index)
                correct += (scores.argmax(1) == y_train[index]).sum().item()
            history.append({"loss": loss_sum / len(y_train), "accuracy": correct / len(y_train)})
        model.eval()
        with torch.no_grad():
            test_loss, test_correct = 0.0, 0
            for first in range(0, len(y_test), 1000):
                scores = model(x_test[first:first + 1000])
                test_loss += loss_fn(scores, y_test[first:first + 1000]).item() * len(scores)
                test_correct += (scores.argmax(1) == y_test[first:first + 1000]).sum().item()
        print(json.dumps({
            "seed": seed,
            "history": history,
            "test": {"loss": test_loss / len(y_test), "accuracy": test_correct / len(y_test)},
            "seconds": round(time.perf_counter() - start, 1),
        }), flush=True)


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(job.get("threads", 1))
    if "train" in job:
        train_seeds(job)
        return
    for name, layers in job["models"].items():
        try:
            params, seconds = seconds_per_epoch(layers, job)
            print(json.dumps({"model": name, "params": params, "seconds_per_epoch": round(seconds, 2)}), flush=True)
        except Exception as error:  # one model that cannot be built must not hide the others
            print(json.dumps({"model": name, "error": str(error)}), flush=True)


if __name__ == "__main__":
    main()
