"""Train one :class:`~chinchilla_lib.train.config.RunConfig` and return its tidy result (imports torch).

AdamW (decoupled weight decay on the weight matrices and the position table, none on biases,
layer norms or the token table); linear warm-up then a cosine decay of the learning rate to a
tenth of its peak over ``schedule_steps`` (Hoffmann et al. 2022, Sec. 3 and App. B; a run
shorter than its schedule stops part-way down, as Kaplan et al. 2020 trained); gradients
clipped to norm 1.  Training windows of ``seq_len + 1`` bytes are read where the run's sampler
puts them (:mod:`chinchilla_lib.train.sampling`: drawn with replacement by the first grids,
disjoint and in a seeded order since), each batch cut from the ``uint8`` split and only then
widened to ``int64``; the weights are drawn from torch's generator seeded with the run's seed.
With one thread, the same configuration gives bit-identical losses.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import torch

from ..datasets.corpus import load_corpus, validation_windows
from .config import N_VAL_WINDOWS, RunConfig, gpt_parameter_counts, run_flops_per_token
from .model import GPT
from .sampling import batch_starts, batch_windows

__all__ = ["N_VAL_WINDOWS", "device", "learning_rate", "train_run", "evaluate"]

_EVAL_BATCH = 128


def device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def learning_rate(config: RunConfig, step: int) -> float:
    """Learning rate at optimiser step ``step`` (0-based): linear warm-up, then cosine to ``final_lr_fraction``."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = min(1.0, (step - config.warmup) / max(1, config.schedule_steps - config.warmup))
    floor = config.final_lr_fraction
    return config.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def evaluate(model: GPT, windows: torch.Tensor) -> float:
    """Mean cross-entropy (nats per byte) of ``model`` over every target of ``windows``."""
    model.eval()
    total = 0.0
    for start in range(0, windows.shape[0], _EVAL_BATCH):
        chunk = windows[start:start + _EVAL_BATCH]
        _, loss = model(chunk[:, :-1], chunk[:, 1:])
        total += loss.item() * chunk.shape[0]
    model.train()
    return total / windows.shape[0]


class _Progress:
    """A one-line progress bar on standard error (tqdm when it is installed)."""

    def __init__(self, total: int, label: str, enabled: bool):
        self.total, self.label, self.enabled, self.bar = total, label, enabled, None
        self.start, self.last = time.perf_counter(), 0.0
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, desc=label, leave=False, file=sys.stderr)

    def update(self, step: int, loss: float) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
            return
        now = time.perf_counter()
        if now - self.last < 1.0 and step < self.total:
            return
        self.last = now
        done = step / self.total
        bar = "#" * int(24 * done)
        print(f"\r{self.label} [{bar:<24}] {step}/{self.total} loss {loss:.3f} {now - self.start:.0f}s",
              end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr, flush=True)


def _optimiser(model: GPT, config: RunConfig) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and n != "tokens.weight"]
    rest = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and n != "tokens.weight")]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(config.beta1, config.beta2), eps=1e-8)


def train_run(config: RunConfig, *, progress: bool = False, threads: int | None = 1) -> dict:
    """Train ``config`` from scratch; return its settings, counts and validation curve.

    Parameters
    ----------
    config : RunConfig
    progress : bool, default False
        Draw a progress bar on standard error.
    threads : int or None, default 1
        ``torch.set_num_threads`` for the run (None leaves torch's default); one thread makes
        runs bit-identical and leaves the other cores to other runs.

    Returns
    -------
    dict
        ``config`` (the settings), ``key``, the counts (``n_params``, ``n_params_non_embedding``,
        ``n_params_embedding``), FLOPs per token as the network computes them (Appendix F:
        ``flops_per_token``, ``flops_per_token_non_embedding``), ``flops`` of the whole run in
        its ``accounting`` (Appendix F, or ``6 N D``), ``n_tokens``, ``train_bytes`` (the
        training split) and ``epochs`` (``n_tokens / train_bytes``), ``loss`` (final validation loss),
        ``train_loss`` (mean of the last 10% of steps), ``curve`` (a list of
        ``{step, n_tokens, flops, lr, loss}`` at each ``eval_steps``, FLOPs in the run's accounting), ``corpus_sha256``,
        ``device``, ``torch_version``, ``seconds`` and ``tokens_per_second``.
    """
    if threads is not None:
        torch.set_num_threads(threads)
    corpus = load_corpus(config.corpus)
    shape = config.shape
    where = device()
    torch.manual_seed(config.seed)
    model = GPT(shape).to(where)
    counts = gpt_parameter_counts(shape)
    if sum(p.numel() for p in model.parameters()) != counts["total"]:
        raise RuntimeError("the model's parameter count differs from gpt_parameter_counts")
    fpt = run_flops_per_token(shape)
    accounted = config.flops_per_token
    optimiser = _optimiser(model, config)
    windows = torch.from_numpy(validation_windows(corpus.val, shape.seq_len, N_VAL_WINDOWS)).to(where)
    train = corpus.train  # uint8: each batch is widened on its own
    starts_of_steps = batch_starts(config, train.size)
    evals = set(config.eval_steps)
    sizes = config.batch_sizes()
    done_sequences = np.concatenate([[0], np.cumsum(sizes)])
    curve, recent = [], []
    bar = _Progress(config.steps, f"{config.model} {config.budget:.2g}", progress)
    start = time.perf_counter()
    for step in range(config.steps):
        lr = learning_rate(config, step)
        for group in optimiser.param_groups:
            group["lr"] = lr
        batch = torch.from_numpy(batch_windows(train, next(starts_of_steps), shape.seq_len)).to(where)
        _, loss = model(batch[:, :-1], batch[:, 1:])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimiser.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"training loss is {value} at step {step + 1} of {config.model}; lower the lr")
        if step >= config.steps - max(1, config.steps // 10):
            recent.append(value)
        if step + 1 in evals:
            tokens = int(done_sequences[step + 1]) * shape.seq_len
            curve.append({"step": step + 1, "n_tokens": tokens, "flops": tokens * accounted, "lr": lr,
                          "loss": evaluate(model, windows)})
        bar.update(step + 1, value)
    bar.close()
    seconds = time.perf_counter() - start
    return {
        "key": config.key(),
        "config": config.as_dict(),
        "n_params": counts["total"],
        "n_params_non_embedding": counts["non_embedding"],
        "n_params_embedding": counts["embedding"],
        "flops_per_token": fpt["total"],
        "flops_per_token_non_embedding": fpt["non_embedding"],
        "n_tokens": config.n_tokens,
        "train_bytes": int(train.size),
        "epochs": config.n_tokens / train.size,
        "flops": config.n_tokens * accounted,
        "loss": curve[-1]["loss"],
        "train_loss": float(np.mean(recent)),
        "curve": curve,
        "corpus_sha256": corpus.sha256,
        "device": where.type,
        "torch_version": torch.__version__,
        "seconds": seconds,
        "tokens_per_second": config.n_tokens / seconds,
    }
