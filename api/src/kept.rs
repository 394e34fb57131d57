//! What a server makes once and serves again, kept within a budget of bytes: the oldest kept
//! value is forgotten first (and made again if asked for). Rendered draft texts
//! (`site::texts`) and whole public answers (`kept_answers`) are kept this way.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::Mutex;

/// What a kept value costs against the budget.
pub trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for std::sync::Arc<str> {
    fn weight(&self) -> usize {
        self.len()
    }
}

/// Values kept by key, at most `budget` bytes in all.
pub struct Kept<K, V> {
    budget: usize,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    values: HashMap<K, V>,
    /// Keys in the order they were kept, oldest first.
    order: VecDeque<K>,
    bytes: usize,
}

impl<K: Hash + Eq + Clone, V: Clone + Weight> Kept<K, V> {
    pub fn new(budget: usize) -> Self {
        Kept {
            budget,
            inner: Mutex::new(Inner {
                values: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }

    /// The budget, in bytes.
    pub fn budget(&self) -> usize {
        self.budget
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().values.get(key).cloned()
    }

    /// Keeps `value` for `key` (in place of what was kept for it), forgetting the oldest
    /// values beyond the budget. A value larger than the whole budget is not kept.
    pub fn keep(&self, key: K, value: V) {
        let size = value.weight();
        if size > self.budget {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.values.insert(key.clone(), value) {
            inner.bytes -= old.weight();
        } else {
            inner.order.push_back(key);
        }
        inner.bytes += size;
        while inner.bytes > self.budget {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.values.remove(&oldest) {
                inner.bytes -= gone.weight();
            }
        }
    }

    /// Bytes kept now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<K, V>> {
        // Nothing can be left half-done under the lock: a poisoned one is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn keeps_values_within_the_budget_forgetting_the_oldest() {
        let kept: Kept<i64, Arc<str>> = Kept::new(3000);
        let third = kept.budget() / 3 + 1;
        for id in 1..=3 {
            kept.keep(id, "x".repeat(third).into());
        }
        assert!(kept.get(&1).is_none(), "the oldest is forgotten");
        assert!(kept.get(&2).is_some() && kept.get(&3).is_some());
        assert!(kept.bytes() <= kept.budget());
        kept.keep(3, "y".into());
        assert_eq!(kept.get(&3).as_deref(), Some("y"));
        assert_eq!(kept.bytes(), third + 1);
        kept.keep(4, "z".repeat(kept.budget() + 1).into());
        assert!(kept.get(&4).is_none(), "larger than the budget: not kept");
        assert_eq!(kept.bytes(), third + 1);
    }
}
