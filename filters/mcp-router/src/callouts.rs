//! The HTTP callouts a stream waits for, each answering for one slot (a server of the
//! exchange or handshake that started it).

/// Callouts in flight: their tokens and slots.
#[derive(Debug, Default)]
pub struct Callouts(Vec<(u32, usize)>);

impl Callouts {
    /// Notes callout `token`, started for `slot`.
    pub fn push(&mut self, token: u32, slot: usize) {
        self.0.push((token, slot));
    }

    /// The slot of callout `token`, which is then no longer in flight; `None` when it is
    /// not one of these.
    pub fn take(&mut self, token: u32) -> Option<usize> {
        let position = self.0.iter().position(|(t, _)| *t == token)?;
        Some(self.0.swap_remove(position).1)
    }

    /// The slot of callout `token`, still in flight.
    pub fn slot(&self, token: u32) -> Option<usize> {
        self.0
            .iter()
            .find(|(t, _)| *t == token)
            .map(|(_, slot)| *slot)
    }

    /// Whether none is in flight.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_answer_for_their_slots_once() {
        let mut callouts = Callouts::default();
        callouts.push(7, 0);
        callouts.push(9, 1);
        assert_eq!(callouts.slot(9), Some(1));
        assert_eq!(callouts.take(9), Some(1));
        assert_eq!(callouts.take(9), None);
        assert_eq!(callouts.take(3), None);
        assert!(!callouts.is_empty());
        assert_eq!(callouts.take(7), Some(0));
        assert!(callouts.is_empty());
    }
}
