"""OpenAI endpoints passed through to OpenAI-schema backends (routed by the model in the
body, never translated): the Responses API (buffered and streamed), image generation, speech
and multipart transcriptions/translations, with the official `openai` client; Azure gets its
own paths; other schemas refuse."""

import base64

import openai
import pytest

from support.gateway import AZURE_DEPLOYMENT, MODEL_A, MODEL_AZURE, MODEL_GEMINI
from support.upstream import CLIENT_KEY

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00--\r\n\x00\xff model"


def reply(backend: str, text: str) -> str:
    return f"Hello from {backend}! You said: {' '.join(text.split()[:5])}"


@pytest.fixture
def oai(gateway):
    with openai.OpenAI(base_url=f"{gateway.url}/v1", api_key=CLIENT_KEY, max_retries=0) as c:
        yield c


def test_responses(oai):
    text = "hello responses api through the gateway"
    raw = oai.responses.with_raw_response.create(model=MODEL_A, input=text,
                                                 instructions="Be brief.")
    assert raw.headers["x-testupstream-backend"] == "openai"
    response = raw.parse()
    assert response.output_text == reply("openai", text)
    assert response.model == MODEL_A
    assert response.usage.input_tokens == 2 + len(text.split())


def test_responses_stream(oai):
    text = "stream the responses api"
    events = list(oai.responses.create(model=MODEL_A, stream=True, input=[
        {"role": "user", "content": [{"type": "input_text", "text": text}]}]))
    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert deltas == reply("openai", text)
    assert [e.sequence_number for e in events] == list(range(len(events)))


@pytest.mark.parametrize("model,backend", [(MODEL_A, "openai"), (MODEL_AZURE, "azure")])
def test_images(oai, model, backend):
    raw = oai.images.with_raw_response.generate(model=model, prompt="a red cat", n=2,
                                                size="1024x1024")
    assert raw.headers["x-testupstream-backend"] == backend
    images = raw.parse()
    assert len(images.data) == 2
    for image in images.data:
        assert base64.b64decode(image.b64_json).startswith(b"\x89PNG")
        assert image.revised_prompt == "a red cat"
    url = oai.images.generate(model=model, prompt="a red cat", response_format="url")
    assert url.data[0].url.startswith("https://testupstream.invalid/images/")


def test_speech(oai):
    audio = oai.audio.speech.create(model=MODEL_A, voice="alloy", input="say this",
                                    response_format="wav")
    assert audio.response.headers["content-type"] == "audio/wav"
    assert audio.content == b"FAKEAUDIO openai wav alloy: say this"


@pytest.mark.parametrize("model,backend,reported", [
    (MODEL_A, "openai", MODEL_A), (MODEL_AZURE, "azure", AZURE_DEPLOYMENT)])
def test_transcription_routed_by_the_multipart_model(oai, client, model, backend, reported):
    t = oai.audio.transcriptions.create(model=model, file=("talk.wav", AUDIO), language="en")
    assert t.text == f"Hello from {backend}! {reported} transcribed {len(AUDIO)} bytes of talk.wav"
    # The openai client marks translations deprecated; the form is sent by hand.
    r = client.post("/v1/audio/translations", files={"file": ("talk.wav", AUDIO)},
                    data={"model": model, "response_format": "text"})
    assert r.status_code == 200, r.text
    assert r.headers["x-testupstream-backend"] == backend
    assert r.text == f"Hello from {backend}! {reported} translated {len(AUDIO)} bytes of talk.wav"


def test_errors(oai, client):
    with pytest.raises(openai.NotFoundError) as caught:
        oai.responses.create(model=MODEL_GEMINI, input="x")
    assert "OpenAI-schema backends only" in caught.value.body["message"]
    with pytest.raises(openai.BadRequestError) as caught:
        oai.images.generate(model=MODEL_A, prompt="cat", n=11)
    assert caught.value.body["param"] == "n", "testupstream refuses like OpenAI"
    r = client.post("/v1/responses", json={"input": "no model"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "model"
    r = client.post("/v1/audio/transcriptions", files={"file": ("a.wav", AUDIO)})
    assert r.status_code == 400 and r.json()["error"]["param"] == "model"
    with pytest.raises(openai.RateLimitError):
        oai.responses.create(model=MODEL_A, input="x",
                             extra_headers={"x-testupstream-status": "429"})
