"""How far llama.cpp is from itself: teacher-forced over the oracle's tokens, llama.cpp in other
configurations (F32 KV cache, flash attention, batch 1) against the oracle (its default configuration).
The same figures our engine is judged by: mean and max |Δ logprob| over the oracle's top-5 ids, and
argmax disagreements at steps whose oracle margin exceeds 0.1.

usage: .venv-bench/bin/python Deploy/bench/llamacpp_spread.py MODEL.gguf ../shared/oracles/smollm2-q4_1-llamacpp.json
"""
import json
import sys

import numpy as np
import llama_cpp
from llama_cpp import Llama


def logsoftmax(x):
    x = x.astype(np.float64)
    m = x.max()
    return x - m - np.log(np.exp(x - m).sum())


def spread(model, oracle, label, **kw):
    llm = Llama(model_path=model, n_ctx=2048, n_threads=2, n_threads_batch=2, logits_all=True, verbose=False, **kw)
    diffs, unsure = [], 0
    for case in oracle["cases"]:
        llm.reset()
        llm.eval(case["prompt_ids"] + case["generated_ids"])
        for i, step in enumerate(case["steps"]):
            lp = logsoftmax(np.array(llm.scores[len(case["prompt_ids"]) - 1 + i]))
            diffs += [abs(lp[int(j)] - v) for j, v in step["top5"]]
            if int(np.argmax(lp)) != step["top5"][0][0] and step["margin"] > 0.1:
                unsure += 1
    print(f"{label:28} mean {np.mean(diffs):.4f}  max {np.max(diffs):.4f}  "
          f"argmax differs at {unsure} steps with margin > 0.1  ({len(diffs)} logprobs)")


def main():
    model, oracle_path = sys.argv[1:3]
    oracle = json.load(open(oracle_path))
    spread(model, oracle, "default (as the oracle)")
    spread(model, oracle, "F32 KV cache", type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32)
    spread(model, oracle, "flash attention", flash_attn=True)
    spread(model, oracle, "batch 1", n_batch=1, n_ubatch=1)


if __name__ == "__main__":
    main()
