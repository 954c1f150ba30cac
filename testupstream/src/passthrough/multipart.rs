//! Strict parsing of the multipart uploads of audio transcriptions and translations.

use bytes::Bytes;
use std::convert::Infallible;

use crate::error::ApiError;

/// Form fields the audio endpoints accept.
const FIELDS: [&str; 8] = [
    "file",
    "model",
    "language",
    "prompt",
    "response_format",
    "temperature",
    "timestamp_granularities[]",
    "chunking_strategy",
];
/// `response_format` values.
const FORMATS: [&str; 5] = ["json", "text", "srt", "verbose_json", "vtt"];

/// A checked upload.
pub struct Upload {
    /// `model` (Azure: the deployment).
    pub model: String,
    /// The file's name.
    pub filename: String,
    /// The file's size in bytes.
    pub size: usize,
    /// `response_format` (default `json`).
    pub format: String,
}

fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(param, message)
}

/// Parses a `multipart/form-data` body: `file` (with a filename) and `model` are required,
/// other fields must be known ones.
pub async fn parse(
    content_type: &str,
    body: &[u8],
    deployment: Option<&str>,
) -> Result<Upload, ApiError> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| {
        invalid(
            "file",
            format!("Expected a multipart/form-data request body: {e}"),
        )
    })?;
    let whole = Bytes::copy_from_slice(body);
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(whole) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut model = None;
    let mut file = None;
    let mut format = "json".to_string();
    let bad = |e: multer::Error| invalid("file", format!("Invalid multipart body: {e}"));
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if !FIELDS.contains(&name.as_str()) {
            return Err(invalid(&name, format!("Unknown parameter: '{name}'.")));
        }
        let filename = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(bad)?;
        match name.as_str() {
            "file" => {
                let filename =
                    filename.ok_or_else(|| invalid("file", "'file' must be a file upload"))?;
                file = Some((filename, data.len()));
            }
            "model" => model = Some(String::from_utf8_lossy(&data).into_owned()),
            "response_format" => {
                format = String::from_utf8_lossy(&data).into_owned();
                if !FORMATS.contains(&format.as_str()) {
                    return Err(invalid("response_format", "unsupported response_format"));
                }
            }
            _ => {}
        }
    }
    let (filename, size) =
        file.ok_or_else(|| invalid("file", "Missing required parameter: 'file'."))?;
    let model = match (deployment, model) {
        (Some(d), _) => d.to_string(),
        (None, Some(m)) if !m.is_empty() => m,
        _ => return Err(invalid("model", "Missing required parameter: 'model'.")),
    };
    Ok(Upload {
        model,
        filename,
        size,
        format,
    })
}
