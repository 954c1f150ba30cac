//! AWS Bedrock as a backend for OpenAI clients: chat completions through the Converse API
//! (`POST /model/{modelId}/converse`, `/converse-stream`), with the binary event-stream
//! framing of streamed answers decoded by [`eventstream`].

pub mod eventstream;
