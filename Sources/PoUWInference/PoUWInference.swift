/// PoUWInference owns GGUF reading, tokenizer, chat templates, the Llama forward pass, sampling, scoring.
public enum PoUWInferenceModule {}
