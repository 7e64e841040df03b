//! The seeded JSON store: collections of JSON objects keyed by id.
//!
//! A collection is seeded with `n` items whose ids are `first_id .. first_id + n`. A seeded
//! item is not kept: it is generated when read, from the seed, the collection and its index
//! (see [`crate::seed`]). Only what changes is kept: items created, seeded items replaced,
//! and the indexes of seeded items deleted. So a million items cost nothing until they are
//! read, and page `N` of a listing is found by index arithmetic, at a cost that depends on
//! the page size and the number of changes, never on the size of the collection.
//!
//! A collection may also hold a few fixed items with ids of their own below the seeded ones
//! (the documentation's examples, see [`crate::api::examples`]): kept like created items,
//! listed in id order with the seeded ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::fields::Field;
use crate::seed::Draw;

/// The most items a collection may be seeded with.
pub const MAX_ITEMS: u64 = 1_000_000_000_000;

/// The order of a collection's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Lowest id first.
    OldestFirst,
    /// Highest id first.
    NewestFirst,
}

/// What a group declares about one of its collections.
#[derive(Debug)]
pub(crate) struct Collection {
    /// Its name, as routes and other collections refer to it (`"tags"`).
    pub(crate) name: &'static str,
    /// What one item is called in messages (`"tag"`: "tag with this name already exists.").
    pub(crate) item_name: &'static str,
    /// The id of the first seeded item.
    pub(crate) first_id: i64,
    /// The order of its listing.
    pub(crate) order: Order,
    /// How many items it is seeded with, unless the options say otherwise.
    pub(crate) default_size: fn(&Sizes<'_>) -> u64,
    /// Generates the seeded item of a [`Draw`]'s index (with its `"id"`).
    pub(crate) generate: fn(&mut Draw<'_>) -> Value,
    /// What the generic create and update accept.
    pub(crate) fields: &'static [Field],
}

/// The size of each collection: those the options set, the default of the others.
pub(crate) struct Sizes<'a> {
    explicit: &'a BTreeMap<String, u64>,
    collections: &'a [&'static Collection],
    /// How deep in a chain of defaults that refer to other sizes this is.
    depth: u32,
}

impl<'a> Sizes<'a> {
    pub(crate) fn new(
        explicit: &'a BTreeMap<String, u64>,
        collections: &'a [&'static Collection],
    ) -> Self {
        Self {
            explicit,
            collections,
            depth: 0,
        }
    }

    /// The size of `collection`, at most [`MAX_ITEMS`]; 0 for a collection that does not
    /// exist.
    pub(crate) fn get(&self, collection: &str) -> u64 {
        if let Some(size) = self.explicit.get(collection) {
            return (*size).min(MAX_ITEMS);
        }
        // Defaults may refer to other sizes; a cycle among them ends here.
        if self.depth > 8 {
            return 0;
        }
        let deeper = Sizes {
            explicit: self.explicit,
            collections: self.collections,
            depth: self.depth + 1,
        };
        self.collections
            .iter()
            .find(|c| c.name == collection)
            .map_or(0, |c| (c.default_size)(&deeper).min(MAX_ITEMS))
    }
}

/// The state of one collection.
#[derive(Debug)]
struct Table {
    spec: &'static Collection,
    seeded: u64,
    /// Seeded items that were replaced, by index.
    changed: BTreeMap<u64, Value>,
    /// Seeded items that were deleted, by index.
    deleted: BTreeSet<u64>,
    /// Items created since, by id (all above the seeded ids).
    created: BTreeMap<i64, Value>,
    /// Fixed items, by id (all below the seeded ids).
    fixed: BTreeMap<i64, Value>,
    next_id: i64,
}

impl Table {
    fn live_seeded(&self) -> u64 {
        self.seeded - self.deleted.len() as u64
    }

    fn len(&self) -> u64 {
        self.live_seeded() + self.created.len() as u64 + self.fixed.len() as u64
    }

    fn index_of(&self, id: i64) -> Option<u64> {
        let offset = id.checked_sub(self.spec.first_id)?;
        let index = u64::try_from(offset).ok()?;
        (index < self.seeded).then_some(index)
    }

    fn id_of(&self, index: u64) -> i64 {
        self.spec
            .first_id
            .saturating_add(i64::try_from(index).unwrap_or(i64::MAX))
    }

    /// The index of the `k`th live seeded item, lowest id first: `k` moved past every
    /// deleted index at or before it.
    fn nth_seeded(&self, k: u64) -> u64 {
        let mut index = k;
        for &deleted in &self.deleted {
            if deleted <= index {
                index += 1;
            } else {
                break;
            }
        }
        index
    }
}

/// Every collection of the fake account.
#[derive(Debug)]
pub(crate) struct Store {
    seed: u64,
    tables: Vec<Table>,
}

impl Store {
    /// The store of these collections, seeded with `seed`.
    pub(crate) fn new(seed: u64, collections: &[&'static Collection], sizes: &Sizes<'_>) -> Self {
        let tables = collections
            .iter()
            .map(|&spec| {
                let seeded = sizes.get(spec.name);
                let after = i64::try_from(seeded).unwrap_or(i64::MAX);
                Table {
                    spec,
                    seeded,
                    changed: BTreeMap::new(),
                    deleted: BTreeSet::new(),
                    created: BTreeMap::new(),
                    fixed: BTreeMap::new(),
                    next_id: spec.first_id.saturating_add(after),
                }
            })
            .collect();
        Self { seed, tables }
    }

    fn table(&self, collection: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.spec.name == collection)
    }

    fn table_mut(&mut self, collection: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.spec.name == collection)
    }

    /// The seed of the data.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The declaration of `collection`, if the store has it.
    pub(crate) fn collection(&self, collection: &str) -> Option<&'static Collection> {
        self.table(collection).map(|t| t.spec)
    }

    /// How many items `collection` was seeded with.
    pub(crate) fn seeded(&self, collection: &str) -> u64 {
        self.table(collection).map_or(0, |t| t.seeded)
    }

    /// The id of seeded item `index` of `collection` (whether or not it still exists).
    pub(crate) fn seeded_id(&self, collection: &str, index: u64) -> Option<i64> {
        let table = self.table(collection)?;
        (index < table.seeded).then(|| table.id_of(index))
    }

    /// How many items `collection` holds now.
    pub(crate) fn len(&self, collection: &str) -> u64 {
        self.table(collection).map_or(0, Table::len)
    }

    /// How many items the store keeps in memory: created and replaced ones, and the marks
    /// of deleted ones. Seeded items read and never changed are not kept.
    pub(crate) fn materialised(&self) -> usize {
        self.tables
            .iter()
            .map(|t| t.changed.len() + t.deleted.len() + t.created.len() + t.fixed.len())
            .sum()
    }

    fn seeded_item(&self, table: &Table, index: u64) -> Value {
        if let Some(item) = table.changed.get(&index) {
            return item.clone();
        }
        let mut draw = Draw::new(self, table.spec.name, index, table.id_of(index));
        (table.spec.generate)(&mut draw)
    }

    /// The item of `collection` with this id.
    pub(crate) fn get(&self, collection: &str, id: i64) -> Option<Value> {
        let table = self.table(collection)?;
        if let Some(item) = table.created.get(&id).or_else(|| table.fixed.get(&id)) {
            return Some(item.clone());
        }
        let index = table.index_of(id)?;
        if table.deleted.contains(&index) {
            return None;
        }
        Some(self.seeded_item(table, index))
    }

    /// Up to `limit` items of `collection` from position `offset` of its listing order.
    pub(crate) fn page(&self, collection: &str, offset: u64, limit: u64) -> Vec<Value> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.items_from(collection, offset).take(limit).collect()
    }

    /// Every item of `collection` in listing order, generated as they are consumed.
    pub(crate) fn items(&self, collection: &str) -> impl Iterator<Item = Value> + '_ {
        self.items_from(collection, 0)
    }

    /// The items of `collection` in listing order from position `offset`: the first seeded
    /// one is found by index arithmetic, the rest follow.
    fn items_from(&self, collection: &str, offset: u64) -> Box<dyn Iterator<Item = Value> + '_> {
        let Some(table) = self.table(collection) else {
            return Box::new(std::iter::empty());
        };
        let live = table.live_seeded();
        let created = table.created.len() as u64;
        let fixed = table.fixed.len() as u64;
        let skip = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        let seeded_up = move |k: u64| {
            let start = if k < live {
                table.nth_seeded(k)
            } else {
                table.seeded
            };
            (start..table.seeded)
                .filter(|index| !table.deleted.contains(index))
                .map(|index| self.seeded_item(table, index))
        };
        let seeded_down = move |k: u64| {
            // The kth from the top is the (live - 1 - k)th from the bottom.
            let end = if k < live {
                table.nth_seeded(live - 1 - k) + 1
            } else {
                0
            };
            (0..end)
                .rev()
                .filter(|index| !table.deleted.contains(index))
                .map(|index| self.seeded_item(table, index))
        };
        // The fixed items come first (oldest first) or last (newest first).
        let fixed_up = table.fixed.values().cloned();
        let fixed_down = table.fixed.values().rev().cloned();
        match table.spec.order {
            Order::OldestFirst if offset < fixed => Box::new(
                fixed_up
                    .skip(skip(offset))
                    .chain(seeded_up(0))
                    .chain(table.created.values().cloned()),
            ),
            Order::OldestFirst if offset - fixed < live => {
                Box::new(seeded_up(offset - fixed).chain(table.created.values().cloned()))
            }
            Order::OldestFirst => Box::new(
                table
                    .created
                    .values()
                    .skip(skip(offset - fixed - live))
                    .cloned(),
            ),
            Order::NewestFirst if offset < created => Box::new(
                table
                    .created
                    .values()
                    .rev()
                    .skip(skip(offset))
                    .cloned()
                    .chain(seeded_down(0))
                    .chain(fixed_down),
            ),
            Order::NewestFirst if offset - created < live => {
                Box::new(seeded_down(offset - created).chain(fixed_down))
            }
            Order::NewestFirst => Box::new(fixed_down.skip(skip(offset - created - live))),
        }
    }

    /// Adds an item to `collection`: `fields` with the next id. Returns it, or `None` when
    /// the collection does not exist.
    pub(crate) fn create(&mut self, collection: &str, fields: Map<String, Value>) -> Option<Value> {
        let table = self.table_mut(collection)?;
        let id = table.next_id;
        table.next_id = id.saturating_add(1);
        let mut item = Map::new();
        item.insert("id".to_owned(), Value::from(id));
        item.extend(fields.into_iter().filter(|(name, _)| name != "id"));
        let item = Value::Object(item);
        table.created.insert(id, item.clone());
        Some(item)
    }

    /// Adds a fixed item to `collection`, with the id it carries, which must be below the
    /// seeded ids and not taken. Returns whether it was added.
    pub(crate) fn add_fixed(&mut self, collection: &str, item: Value) -> bool {
        let Some(table) = self.table_mut(collection) else {
            return false;
        };
        match item.get("id").and_then(Value::as_i64) {
            Some(id) if id < table.spec.first_id && !table.fixed.contains_key(&id) => {
                table.fixed.insert(id, item);
                true
            }
            _ => false,
        }
    }

    /// The id the next item created in `collection` will have.
    pub(crate) fn next_id(&self, collection: &str) -> Option<i64> {
        self.table(collection).map(|t| t.next_id)
    }

    /// Replaces the item with this id; `false` when there is none.
    pub(crate) fn replace(&mut self, collection: &str, id: i64, item: Value) -> bool {
        let Some(table) = self.table_mut(collection) else {
            return false;
        };
        if let Some(slot) = table.created.get_mut(&id).or(table.fixed.get_mut(&id)) {
            *slot = item;
            return true;
        }
        match table.index_of(id) {
            Some(index) if !table.deleted.contains(&index) => {
                table.changed.insert(index, item);
                true
            }
            _ => false,
        }
    }

    /// Deletes the item with this id; `false` when there is none.
    pub(crate) fn delete(&mut self, collection: &str, id: i64) -> bool {
        let Some(table) = self.table_mut(collection) else {
            return false;
        };
        if table.created.remove(&id).is_some() || table.fixed.remove(&id).is_some() {
            return true;
        }
        match table.index_of(id) {
            Some(index) => {
                table.changed.remove(&index);
                table.deleted.insert(index)
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn numbered(draw: &mut Draw<'_>) -> Value {
        json!({"id": draw.id(), "n": draw.index(), "r": draw.rng.below(1000)})
    }

    static UP: Collection = Collection {
        name: "up",
        item_name: "up",
        first_id: 100,
        order: Order::OldestFirst,
        default_size: |_| 10,
        generate: numbered,
        fields: &[],
    };

    static DOWN: Collection = Collection {
        name: "down",
        item_name: "down",
        first_id: 700_000,
        order: Order::NewestFirst,
        default_size: |_| 10,
        generate: numbered,
        fields: &[],
    };

    fn store(seed: u64, sizes: &[(&str, u64)]) -> Store {
        let explicit = sizes.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect();
        let collections = [&UP, &DOWN];
        Store::new(seed, &collections, &Sizes::new(&explicit, &collections))
    }

    fn ids(items: &[Value]) -> Vec<i64> {
        items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
    }

    #[test]
    fn a_million_items_page_by_arithmetic_and_stay_unmaterialised() {
        let store = store(1, &[("down", 1_000_000), ("up", 1_000_000)]);
        assert_eq!(store.len("down"), 1_000_000);
        let first = store.page("down", 0, 100);
        assert_eq!(ids(&first)[..2], [1_699_999, 1_699_998]);
        let last = store.page("down", 999_900, 100);
        assert_eq!(last.len(), 100);
        assert_eq!(ids(&last)[99], 700_000);
        let middle = store.page("up", 500_000, 3);
        assert_eq!(ids(&middle), [500_100, 500_101, 500_102]);
        assert!(store.page("up", 1_000_000, 100).is_empty());
        assert_eq!(store.materialised(), 0);
    }

    #[test]
    fn the_largest_account_pages_without_overflow() {
        let store = store(1, &[("down", u64::MAX)]);
        assert_eq!(store.len("down"), MAX_ITEMS);
        let last = store.page("down", MAX_ITEMS - 1, 100);
        assert_eq!(ids(&last), [700_000]);
        let first = store.page("down", 0, 1);
        assert_eq!(
            ids(&first),
            [700_000 + i64::try_from(MAX_ITEMS).unwrap() - 1]
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_items() {
        let a = store(7, &[]).page("up", 0, 10);
        assert_eq!(a, store(7, &[]).page("up", 0, 10));
        assert_ne!(a, store(8, &[]).page("up", 0, 10));
        // An item read alone is the item read in a page.
        assert_eq!(store(7, &[]).get("up", 104).as_ref(), a.get(4));
    }

    #[test]
    fn changes_are_kept_and_listings_skip_deleted_items() {
        let mut store = store(1, &[]);
        assert!(store.delete("up", 100));
        assert!(store.delete("up", 102));
        assert!(!store.delete("up", 102), "deleted twice");
        assert!(store.replace("up", 101, json!({"id": 101, "n": "changed"})));
        assert!(!store.replace("up", 102, json!({})), "deleted");
        let created = store.create("up", Map::from_iter([("n".into(), json!("new"))]));
        assert_eq!(created, Some(json!({"id": 110, "n": "new"})));
        assert_eq!(store.len("up"), 9);
        let all = store.page("up", 0, 100);
        assert_eq!(ids(&all), [101, 103, 104, 105, 106, 107, 108, 109, 110]);
        assert_eq!(all[0]["n"], "changed");
        // Every window agrees with the whole listing.
        for offset in 0..10 {
            assert_eq!(
                store.page("up", offset, 2),
                all.iter()
                    .skip(offset as usize)
                    .take(2)
                    .cloned()
                    .collect::<Vec<_>>()
            );
        }
        assert_eq!(store.get("up", 102), None);
        assert_eq!(store.get("up", 110).unwrap()["n"], "new");
        assert_eq!(store.materialised(), 4);

        assert!(store.delete("down", 700_009));
        assert!(store.delete("down", 700_000));
        store.create("down", Map::new());
        store.create("down", Map::new());
        let all = store.page("down", 0, 100);
        assert_eq!(
            ids(&all),
            [
                700_011, 700_010, 700_008, 700_007, 700_006, 700_005, 700_004, 700_003, 700_002,
                700_001
            ]
        );
        for offset in 0..11 {
            assert_eq!(
                store.page("down", offset, 3),
                all.iter()
                    .skip(offset as usize)
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
            );
        }
        assert!(store.delete("down", 700_011));
        assert_eq!(store.next_id("down"), Some(700_012), "ids are never reused");
    }

    #[test]
    fn fixed_items_list_in_id_order_below_the_seeded_ones() {
        let mut store = store(1, &[("up", 3), ("down", 3)]);
        for id in [7, 5] {
            assert!(store.add_fixed("up", json!({"id": id})));
            assert!(store.add_fixed("down", json!({"id": id})));
        }
        assert!(!store.add_fixed("up", json!({"id": 5})), "taken");
        assert!(!store.add_fixed("up", json!({"id": 100})), "a seeded id");
        assert!(!store.add_fixed("up", json!({"n": 1})), "no id");
        store.create("up", Map::new());
        store.create("down", Map::new());
        let up = store.page("up", 0, 100);
        assert_eq!(ids(&up), [5, 7, 100, 101, 102, 103]);
        let down = store.page("down", 0, 100);
        assert_eq!(ids(&down), [700_003, 700_002, 700_001, 700_000, 7, 5]);
        for offset in 0..7 {
            for (name, all) in [("up", &up), ("down", &down)] {
                let window: Vec<Value> = all.iter().skip(offset).take(2).cloned().collect();
                assert_eq!(
                    store.page(name, offset as u64, 2),
                    window,
                    "{name} {offset}"
                );
            }
        }
        assert_eq!(store.len("up"), 6);
        assert_eq!(store.get("up", 7), Some(json!({"id": 7})));
        assert!(store.replace("up", 7, json!({"id": 7, "n": "changed"})));
        assert_eq!(store.get("up", 7).unwrap()["n"], "changed");
        assert!(store.delete("up", 7));
        assert_eq!(store.get("up", 7), None);
        assert_eq!(ids(&store.page("up", 0, 2)), [5, 100]);
    }

    #[test]
    fn unknown_collections_are_empty() {
        let mut store = store(1, &[]);
        assert_eq!(store.len("nothing"), 0);
        assert!(store.page("nothing", 0, 10).is_empty());
        assert_eq!(store.create("nothing", Map::new()), None);
        assert!(!store.delete("nothing", 1));
    }
}
