"""llama.cpp side of `Deploy/bench-inference.sh`: the same workloads as `pouw bench inference`, on the
same GGUF file and thread count, through llama-cpp-python's low-level API. Prints one JSON object.

Workloads (shared definition, see docs/benchmarks.md):
  prompt token i = 17 + (i * 7919) % 49000 (a fixed, tokenizer-free id sequence)
  prefill: one 512-token prompt; decode: 128 greedy steps after a 16-token prompt;
  batch-N: N sequences with distinct 16-token prompts, 64 greedy steps each, one batch per step;
  scoring: teacher-forced logits for every position of a 256-token sequence (one pass).
"""
import argparse
import json
import statistics
import time

import llama_cpp as L
import numpy as np


def prompt_ids(n, offset=0):
    return [17 + ((i + offset) * 7919) % 49000 for i in range(n)]


class Engine:
    def __init__(self, path, threads, n_ctx, n_seq):
        L.llama_backend_init()
        t0 = time.perf_counter()
        mp = L.llama_model_default_params()
        self.model = L.llama_model_load_from_file(path.encode(), mp)
        if not self.model:
            raise SystemExit(f"llama.cpp could not load {path}")
        cp = L.llama_context_default_params()
        cp.n_ctx = n_ctx
        cp.n_batch = 512
        cp.n_ubatch = 512
        cp.n_seq_max = n_seq
        cp.n_threads = threads
        cp.n_threads_batch = threads
        cp.kv_unified = True  # one KV pool shared by all sequences, as our engine has
        self.ctx = L.llama_init_from_model(self.model, cp)
        self.load_seconds = time.perf_counter() - t0
        self.n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(self.model))
        self.batch = L.llama_batch_init(512, 0, n_seq)

    def clear(self):
        L.llama_memory_clear(L.llama_get_memory(self.ctx), True)

    def decode(self, items):
        """items: list of (token, pos, seq, want_logits). Returns batch indices with logits."""
        b = self.batch
        for start in range(0, len(items), 512):
            chunk = items[start:start + 512]
            for i, (tok, pos, seq, want) in enumerate(chunk):
                b.token[i] = tok
                b.pos[i] = pos
                b.n_seq_id[i] = 1
                b.seq_id[i][0] = seq
                b.logits[i] = 1 if want else 0
            b.n_tokens = len(chunk)
            if L.llama_decode(self.ctx, b) != 0:
                raise SystemExit("llama_decode failed")
        L.llama_synchronize(self.ctx)

    def argmax(self, i):
        ptr = L.llama_get_logits_ith(self.ctx, i)
        return int(np.argmax(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))))


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    e = Engine(a.model, a.threads, n_ctx=4096, n_seq=16)
    out = {"engine": "llama.cpp (llama-cpp-python %s)" % L.__version__, "threads": a.threads,
           "load_seconds": e.load_seconds}

    ids = prompt_ids(512)

    def prefill():
        e.clear()
        e.decode([(t, p, 0, p == 511) for p, t in enumerate(ids)])
    out["prefill_tokens_per_second"] = 512 / timed(prefill, a.repeats)

    def decode_only():
        e.clear()
        p16 = prompt_ids(16)
        e.decode([(t, p, 0, p == 15) for p, t in enumerate(p16)])
        tok = 0
        t0 = time.perf_counter()
        pos = 16
        for _ in range(128):
            e.decode([(tok, pos, 0, True)])
            tok = e.argmax(0)
            pos += 1
        return time.perf_counter() - t0
    out["decode_tokens_per_second"] = 128 / statistics.median(decode_only() for _ in range(a.repeats))

    for n in (4, 16):
        def batch_only():
            e.clear()
            items = []
            for s in range(n):
                for p, t in enumerate(prompt_ids(16, offset=1000 * s)):
                    items.append((t, p, s, False))
            e.decode(items)
            toks = [0] * n
            t0 = time.perf_counter()
            for step in range(64):
                e.decode([(toks[s], 16 + step, s, True) for s in range(n)])
                toks = [e.argmax(s) for s in range(n)]
            return time.perf_counter() - t0
        out[f"batch{n}_tokens_per_second"] = n * 64 / statistics.median(batch_only() for _ in range(a.repeats))

    seq = prompt_ids(256)

    def score():
        e.clear()
        e.decode([(t, p, 0, True) for p, t in enumerate(seq)])
    out["scoring_tokens_per_second"] = 256 / timed(score, a.repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
