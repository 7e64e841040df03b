//! Seeded randomness: every seeded item is drawn from its own generator, seeded from the
//! account's seed, its collection and its index, so any item can be made on demand, alone.

use jiff::{SignedDuration, Timestamp};

use crate::store::Store;

/// A small, fixed-output pseudo-random generator (SplitMix64), so that a seed always gives
/// the same data whatever crate versions are in use.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator of one item: independent of every other item's.
    pub(crate) fn for_item(seed: u64, collection: &str, index: u64) -> Self {
        // FNV-1a of the collection name, so that collections of one seed differ.
        let name = collection
            .bytes()
            .fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
            });
        let mut mixer = Self(seed ^ name.rotate_left(17));
        let base = mixer.next_u64();
        let mut item = Self(base ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        // Stir once more so that neighbouring indexes start far apart.
        let start = item.next_u64();
        Self(start)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        let value = self.next_u64();
        if n == 0 { 0 } else { value % n }
    }

    /// `true` with a chance of `k` in `n`.
    pub(crate) fn chance(&mut self, k: u64, n: u64) -> bool {
        self.below(n) < k
    }

    /// One of `items` (the default value when there are none).
    pub(crate) fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(index).copied().unwrap_or_default()
    }

    /// `length` random letters and digits, like a user key (`VCJ0tmNg5wuw`).
    pub(crate) fn key(&mut self, length: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..length).map(|_| char::from(self.pick(CHARS))).collect()
    }

    /// A moment after `start`, within `span_seconds`, with microseconds half the time (as
    /// the real API's timestamps sometimes have them and sometimes not).
    pub(crate) fn instant(&mut self, start: Timestamp, span_seconds: u64) -> Timestamp {
        let offset = i64::try_from(self.below(span_seconds.max(1))).unwrap_or(0);
        let at = start
            .checked_add(SignedDuration::from_secs(offset))
            .unwrap_or(start);
        self.maybe_micros(at)
    }

    /// [`Rng::instant`] as the API writes it.
    pub(crate) fn timestamp(&mut self, start: Timestamp, span_seconds: u64) -> String {
        let at = self.instant(start, span_seconds);
        timestamp_text(at)
    }

    /// `at`, with random microseconds added half the time.
    pub(crate) fn maybe_micros(&mut self, at: Timestamp) -> Timestamp {
        if self.chance(1, 2) {
            let micros = i64::try_from(self.below(1_000_000)).unwrap_or(0);
            at.checked_add(SignedDuration::from_micros(micros))
                .unwrap_or(at)
        } else {
            at
        }
    }
}

/// Where an item being generated draws from: its own generator, its place, and the sizes
/// and ids of the other collections it may refer to.
pub(crate) struct Draw<'a> {
    /// The item's generator.
    pub(crate) rng: Rng,
    store: &'a Store,
    index: u64,
    id: i64,
}

impl<'a> Draw<'a> {
    pub(crate) fn new(store: &'a Store, collection: &str, index: u64, id: i64) -> Self {
        Self {
            rng: Rng::for_item(store.seed(), collection, index),
            store,
            index,
            id,
        }
    }

    /// The item's place among the seeded items of its collection, from 0.
    pub(crate) fn index(&self) -> u64 {
        self.index
    }

    /// The item's id.
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    /// The account's seed, for what all items of a collection share.
    pub(crate) fn seed(&self) -> u64 {
        self.store.seed()
    }

    /// How many items `collection` was seeded with.
    pub(crate) fn seeded(&self, collection: &str) -> u64 {
        self.store.seeded(collection)
    }

    /// The id of the seeded item `index` of `collection`.
    pub(crate) fn seeded_id(&self, collection: &str, index: u64) -> Option<i64> {
        self.store.seeded_id(collection, index)
    }

    /// The id of a random seeded item of `collection`, if it has any.
    pub(crate) fn pick_id(&mut self, collection: &str) -> Option<i64> {
        let count = self.store.seeded(collection);
        if count == 0 {
            return None;
        }
        let index = self.rng.below(count);
        self.store.seeded_id(collection, index)
    }
}

/// When seeded data begins: 2017-05-24T11:06:40Z.
pub(crate) fn epoch() -> Timestamp {
    Timestamp::from_second(1_495_624_000).unwrap_or_default()
}

/// `start` plus `seconds`, or `start` when that would leave the calendar.
pub(crate) fn after(start: Timestamp, seconds: i64) -> Timestamp {
    start
        .checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or(start)
}

/// Timestamps as the API writes them: UTC, `Z`, microseconds only when there are any.
pub(crate) fn timestamp_text(at: Timestamp) -> String {
    let format = if at.subsec_nanosecond() == 0 {
        "%Y-%m-%dT%H:%M:%SZ"
    } else {
        "%Y-%m-%dT%H:%M:%S%.6fZ"
    };
    at.strftime(format).to_string()
}

/// `text` in lower case ASCII letters only (`Łukasz` → `ukasz`), for made-up addresses.
pub(crate) fn ascii_lower(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_have_independent_repeatable_generators() {
        let draw = |seed, name, index| Rng::for_item(seed, name, index).next_u64();
        assert_eq!(draw(1, "users", 5), draw(1, "users", 5));
        assert_ne!(draw(1, "users", 5), draw(1, "users", 6));
        assert_ne!(draw(1, "users", 5), draw(2, "users", 5));
        assert_ne!(draw(1, "users", 5), draw(1, "tags", 5));
    }

    #[test]
    fn timestamps_have_optional_fraction() {
        let whole = epoch();
        assert_eq!(timestamp_text(whole), "2017-05-24T11:06:40Z");
        let micro = whole + SignedDuration::from_micros(378_842);
        assert_eq!(timestamp_text(micro), "2017-05-24T11:06:40.378842Z");
        let round = whole + SignedDuration::from_micros(378_800);
        assert_eq!(timestamp_text(round), "2017-05-24T11:06:40.378800Z");
        assert_eq!(after(whole, i64::MAX), whole, "out of range stays put");
    }
}
