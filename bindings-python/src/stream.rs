//! `StreamRedactor`: the core's stream redaction for a reply that arrives
//! in chunks. `Policy.stream(chunks)` (in `govstream/_stream.py`) wraps it
//! as an iterator and an async iterator.

use crate::error;
use crate::json;
use crate::policy::PyDecision;
use govstream::api::{ApiError, StreamRedactor};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyString};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Redacts a text that arrives in chunks (a model's streamed reply):
/// `push` returns the text now safe to show, `finish` the rest. Put
/// together they are exactly `Policy.redact` of the whole text; a match
/// split across chunks is still found, and no more than the policy's
/// longest match plus its context is held back. After `finish`,
/// `decision` is the whole text's `Decision` (its records are what
/// `Policy.evaluate` of the whole text gives). Usually used through
/// `Policy.stream(chunks)`.
///
/// >>> import govstream
/// >>> r = govstream.Policy.default().redactor()
/// >>> shown = [r.push(c) for c in ["key AKIAIOSF", "ODNN7EXAMPLE done"]]
/// >>> "".join(shown) + r.finish()
/// 'key [REDACTED:secrets.aws_access_key_id] done'
/// >>> r.decision.verdict
/// 'block'
#[pyclass(frozen, module = "govstream", name = "StreamRedactor")]
pub(crate) struct PyStreamRedactor {
    inner: Mutex<Option<StreamRedactor>>,
    holdback: usize,
    done: Mutex<Option<(Py<PyDecision>, usize)>>,
}

impl PyStreamRedactor {
    pub(crate) fn new(stream: StreamRedactor) -> Self {
        PyStreamRedactor {
            holdback: stream.holdback(),
            inner: Mutex::new(Some(stream)),
            done: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<StreamRedactor>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn finished(py: Python<'_>) -> PyErr {
    error::api_to_py(py, &ApiError::closed_stream())
}

#[pymethods]
impl PyStreamRedactor {
    /// Adds a chunk (`str`, or `bytes` that may end inside a UTF-8
    /// sequence) and returns the text now safe to show, often `""`.
    ///
    /// Raises `InputError` for bytes that are not UTF-8, or after `finish`.
    fn push(&self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<String> {
        let mut guard = self.lock();
        let Some(stream) = guard.as_mut() else {
            return Err(finished(py));
        };
        if chunk.is_instance_of::<PyString>() {
            let text: PyBackedStr = chunk.extract()?;
            return Ok(py.detach(|| stream.push(&text)));
        }
        let bytes = chunk
            .cast::<PyBytes>()
            .map_err(|_| error::input(py, "chunk", "expected str or bytes"))?;
        let bytes = bytes.as_bytes();
        py.detach(|| stream.push_bytes(bytes))
            .map_err(|e| error::input(py, "chunk", e.to_string()))
    }

    /// Ends the stream and returns the rest of the redacted text. `context`
    /// is the evaluation context (as `Policy.evaluate`'s `context`) of the
    /// `decision` it leaves.
    ///
    /// Raises `InputError` for a bad context, for bytes that ended inside
    /// a UTF-8 sequence, or when already finished.
    #[pyo3(signature = (context = None))]
    fn finish(&self, py: Python<'_>, context: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        let context = match context.filter(|c| !c.is_none()) {
            Some(c) => json::from_python(c, "context")?,
            None => serde_json::Value::Null,
        };
        let stream = self.lock().take().ok_or_else(|| finished(py))?;
        let outcome = py
            .detach(|| govstream::api::finish_stream(stream, context))
            .map_err(|e| error::for_argument(py, e))?;
        let decision = Py::new(py, PyDecision::from_core(outcome.decision))?;
        *self.done.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((decision, outcome.late_repeats));
        Ok(outcome.tail)
    }

    /// The whole text's `Decision`, once finished; `None` before.
    #[getter]
    fn decision(&self, py: Python<'_>) -> Option<Py<PyDecision>> {
        self.done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(d, _)| d.clone_ref(py))
    }

    /// Bytes received and not yet shown.
    #[getter]
    fn held_back(&self) -> usize {
        self.lock().as_ref().map_or(0, StreamRedactor::held_back)
    }

    /// The most bytes this stream can hold back behind the newest text (what
    /// it holds is usually much less: `held_back`).
    #[getter]
    fn holdback(&self) -> usize {
        self.holdback
    }

    /// Non-zero when a value matched late also occurred earlier, in text
    /// already shown (the one thing a stream cannot take back; the
    /// decision's records cover the value).
    #[getter]
    fn late_repeats(&self) -> usize {
        self.done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, |(_, n)| *n)
    }

    fn __repr__(&self) -> String {
        format!(
            "<govstream.StreamRedactor held_back={} finished={}>",
            self.held_back(),
            if self.lock().is_none() {
                "True"
            } else {
                "False"
            }
        )
    }
}
