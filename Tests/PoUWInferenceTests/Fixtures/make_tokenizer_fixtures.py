#!/usr/bin/env python3
"""Builds tokenizer_cases.json: strings and the token ids llama.cpp gives them with the reference model.

Ground truth is llama.cpp itself, through llama-cpp-python (PyPI `llama-cpp-python`, the version the
oracle used, 0.3.36), loading only the vocabulary of the GGUF. The script checks itself against the
oracle's prompt_ids first. It also builds an HF `tokenizers` BPE from the GGUF vocabulary and merges
(pre-tokenizer: Digits(individual) then ByteLevel) and reports every case where it disagrees with
llama.cpp, as a cross-check; the JSON always holds llama.cpp's ids.

    python3 -m venv .venv-fixtures
    .venv-fixtures/bin/pip install gguf tokenizers llama-cpp-python==0.3.36
    .venv-fixtures/bin/python Tests/PoUWInferenceTests/Fixtures/make_tokenizer_fixtures.py \
        [--model .models/SmolLM2-135M-Instruct.Q4_1.gguf] [--oracle ../shared/oracles/smollm2-q4_1-llamacpp.json]
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

HANDWRITTEN = [
    "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t\tx", "a\n\n\nb", "x  y", "x   y", "x \t y",
    "Hello", "Hello world", " Hello world", "Hello  world", "Hello world!", "hello, world. ",
    "The quick brown fox jumps over the lazy dog.",
    "I'm here, you're there, we've been, he'll go, she'd say, it's fine, don't.",
    "I'M SHOUTING, YOU'RE NOT", "'s 't 're 've 'm 'll 'd", "''", "' ", "rock'n'roll", "O'Neil's",
    "0", "7", "12", "123", "1234", "12345", "123456", "1234567890", "3.14159", "-42", "1e10", "0x1F",
    "2024-06-01", "12:30:45", "$1,000,000.00", "version 2.0.1", "a1b2c3", "x²+y³", "½ ¾ ⅓", "Ⅻ ⅻ", "٣٤٥",
    "१२३", "①②③", "𝟙𝟚𝟛",
    "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)\n",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "let x: [Int: String] = [:]  // comment",
    "<html><body><p class=\"x\">Hi &amp; bye</p></body></html>",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}",
    "#!/usr/bin/env bash\nset -euo pipefail\necho \"$HOME\"\n",
    "    indented with spaces", "\tindented with a tab", "trailing spaces   ", "trailing newline\n",
    "naïve café résumé", "Ærøskøbing", "Straße", "İstanbul ıi", "Ελληνικά γράμματα", "Русский текст",
    "עברית", "العربية", "हिन्दी", "ไทย", "한국어 문장", "日本語の文章です。", "中文句子，标点符号！", "漢字かなカナ",
    "emoji 😀😃😄", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷🇯🇵", "❤️", "a🙂b", "e\u0301", "n\u0303o", "a\u0300\u0301\u0302",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻̪", "\u200b zero width", "no\u00a0break", "ideographic\u3000space", "line\u2028sep",
    "soft\u00adhyphen", "tab\u000bvertical", "form\u000cfeed", "nul\u0001ctl",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|im_start|>user\nHi<|im_end|>\n",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n",
    "text<|im_end|>text", "<|im_start|><|im_end|>", "<|im_start", "im_start|>", "<repo_name>x<file_sep>y",
    "<jupyter_code>print(1)<jupyter_output>1", "<<|im_start|>>", "< |im_start| >",
    "!!!???...", "---===+++", "((()))[[[]]]{{{}}}", "@user #tag $var %p ^c &a *s", "~`|\\/",
    "a.b.c", "e.g.", "U.S.A.", "Mr. Smith", "...", "…", "—", "–", "«guillemets»", "“smart quotes”", "‘single’",
    "http://example.com/path?query=1&x=y#frag", "user@example.com", "C:\\Windows\\System32",
    "CamelCaseIdentifier", "snake_case_identifier", "SCREAMING_SNAKE", "kebab-case-id", "__init__",
    "a" * 50, "ab" * 40, " " * 17, "\n" * 9, "0" * 25, "9876543210" * 3, "z" * 300,
    "Ġ", "Ċ", "ĠĠ", "âĢĻ", "Ã©",
]


def generated_cases(count):
    """Seeded random strings mixing scripts, digits, spaces and punctuation."""
    rng = random.Random(20250611)
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "0123456789",
        " ", "  ", "\n", "\t", " \n",
        ".,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`",
        "éèêëàâäôöûüçñßøåæ",
        "абвгдежзийклмнопрстуфхцчшщыэюя",
        "的一是不了人我在有他这为之大来以个中上们",
        "あいうえおかきくけこアイウエオ",
        "😀😂🤔🚀🌍🍕🎉🔥",
        "\u0301\u0308\u0327",
        "²³¼",
    ]
    words = ["the", " the", "and", " of", "token", "izer", "llama", "Smol", "LM", "'s", "'ll", "<|im_end|>",
             "<|im_start|>", "def", " return", "1234", "3.5", "\n\n", "   ", "don't", "GPU", "proof"]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.3:
                parts.append(rng.choice(words))
            else:
                pool = rng.choice(pools)
                parts.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 6))))
        out.append("".join(parts))
    return out


def llama_tokenizer(model_path):
    import llama_cpp
    llm = llama_cpp.Llama(model_path=model_path, vocab_only=True, verbose=False)

    def encode(text, parse_special):
        return llm.tokenize(text.encode("utf-8"), add_bos=False, special=parse_special)
    return encode, llama_cpp.__version__


def hf_tokenizer(model_path):
    import gguf
    from tokenizers import Tokenizer, AddedToken, decoders, models, pre_tokenizers
    reader = gguf.GGUFReader(model_path)
    field = reader.fields

    def strings(key):
        f = field[key]
        return [bytes(f.parts[i]).decode("utf-8") for i in f.data]
    tokens = strings("tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in strings("tokenizer.ggml.merges")]
    types = [int(field["tokenizer.ggml.token_type"].parts[i][0]) for i in field["tokenizer.ggml.token_type"].data]
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, kind in zip(tokens, types) if kind == 3])

    def encode(text, parse_special):
        if not parse_special:
            return None  # HF always matches added tokens; only compare the parse-special case
        return tok.encode(text, add_special_tokens=False).ids
    return encode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, ".models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--oracle", default=os.path.join(ROOT, "..", "shared", "oracles",
                                                         "smollm2-q4_1-llamacpp.json"))
    parser.add_argument("--out", default=os.path.join(HERE, "tokenizer_cases.json"))
    args = parser.parse_args()

    encode, version = llama_tokenizer(args.model)
    hf_encode = hf_tokenizer(args.model)

    with open(args.oracle) as f:
        oracle = json.load(f)
    for case in oracle["cases"]:
        ids = encode(case["rendered_prompt"], True)
        if ids != case["prompt_ids"]:
            sys.exit(f"llama.cpp disagrees with the oracle on {case['user']!r}")
    print(f"llama.cpp {version} reproduces all {len(oracle['cases'])} oracle prompt_ids")

    texts = HANDWRITTEN + generated_cases(160)
    cases, disagreements = [], 0
    for text in texts:
        for parse_special in (True, False):
            if not parse_special and "<" not in text:
                continue  # without special tokens in the text both modes tokenize alike
            ids = encode(text, parse_special)
            cases.append({"text": text, "parse_special": parse_special, "ids": ids})
            hf_ids = hf_encode(text, parse_special)
            if hf_ids is not None and hf_ids != ids:
                disagreements += 1
                print(f"HF tokenizers differs on {text!r}: llama.cpp {ids} HF {hf_ids}")
    print(f"{len(cases)} cases; HF tokenizers disagrees with llama.cpp on {disagreements}")
    with open(args.out, "w") as f:
        json.dump({"generator": f"make_tokenizer_fixtures.py, llama-cpp-python {version}",
                   "model": os.path.basename(args.model), "add_bos": False, "cases": cases},
                  f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
