//! Reading a whole BAPI list: the first page at Clerk's maximum `limit`, then — once
//! `total_count` is known — every remaining page concurrently. Accepts the bare-array and the
//! `{data, total_count}` shapes. A list that changes while it is read (total_count moves,
//! duplicates, gaps) is read once more, then reported: never a silently partial list.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinSet;

use super::bapi::Paging;
use super::client::{Api, Client, Failure};

/// Clerk's maximum page size (`limit`: min 1, max 500).
pub const LIMIT: usize = 500;

/// Why a list could not be read.
#[derive(Debug)]
pub enum ListError {
    /// A request failed (after its own retries).
    Request(Failure),
    /// The response is not a list.
    Shape(String),
    /// The list changed during the read, twice.
    Changed(String),
}

/// Reads the whole list; retries once if it changed during the read.
pub async fn read_all(
    client: Arc<Client>,
    api: Arc<Api>,
    path: &'static [&'static str],
    paging: Paging,
    label: String,
) -> Result<Vec<Value>, ListError> {
    match read_once(&client, &api, path, paging, &label).await {
        Err(ListError::Changed(_)) => match read_once(&client, &api, path, paging, &label).await {
            Err(ListError::Changed(why)) => Err(ListError::Changed(why)),
            other => other,
        },
        other => other,
    }
}

enum Page {
    Bare(Vec<Value>),
    Envelope { data: Vec<Value>, total: usize },
}

fn page(body: Value) -> Result<Page, ListError> {
    match body {
        Value::Array(items) => Ok(Page::Bare(items)),
        Value::Object(mut map) => {
            let data = match map.remove("data") {
                Some(Value::Array(d)) => d,
                _ => {
                    return Err(ListError::Shape(
                        "expected an array or {\"data\": [...], \"total_count\": N}".into(),
                    ));
                }
            };
            match map.get("total_count").and_then(Value::as_u64) {
                Some(t) => Ok(Page::Envelope {
                    data,
                    total: usize::try_from(t).unwrap_or(usize::MAX),
                }),
                // An envelope without a count: treat like a bare page.
                None => Ok(Page::Bare(data)),
            }
        }
        _ => Err(ListError::Shape(
            "expected an array or {\"data\": [...], \"total_count\": N}".into(),
        )),
    }
}

fn query(paging: Paging, offset: usize) -> Vec<(&'static str, String)> {
    match paging {
        Paging::Object | Paging::Whole => Vec::new(),
        Paging::Paginated => vec![
            ("paginated", "true".into()),
            ("limit", LIMIT.to_string()),
            ("offset", offset.to_string()),
        ],
        Paging::LimitOffset => vec![("limit", LIMIT.to_string()), ("offset", offset.to_string())],
    }
}

/// A page and the hashes of its entries' ids, taken right after parsing while the entries are
/// still in cache (checking 12,000 entries for repeats afterwards costs milliseconds).
async fn fetch(
    client: &Client,
    api: &Api,
    path: &[&str],
    paging: Paging,
    offset: usize,
    label: &str,
) -> Result<(Page, Vec<u64>), ListError> {
    let url = api.url(path, &query(paging, offset));
    let label = if offset == 0 {
        label.to_owned()
    } else {
        format!("{label}?offset={offset}")
    };
    let body = client
        .get_json(api, url, &label)
        .await
        .map_err(ListError::Request)?;
    let page = page(body)?;
    let ids = match &page {
        Page::Bare(d) | Page::Envelope { data: d, .. } => id_hashes(d),
    };
    Ok((page, ids))
}

async fn read_once(
    client: &Arc<Client>,
    api: &Arc<Api>,
    path: &'static [&'static str],
    paging: Paging,
    label: &str,
) -> Result<Vec<Value>, ListError> {
    let pages_allowed = matches!(paging, Paging::Paginated | Paging::LimitOffset);
    let (first, mut ids) = fetch(client, api, path, paging, 0, label).await?;
    let items = match first {
        Page::Envelope { data, total } if data.len() >= total || !pages_allowed => {
            if data.len() != total {
                return Err(ListError::Changed(format!(
                    "a response held {} entries but total_count is {total}",
                    data.len()
                )));
            }
            data
        }
        Page::Envelope { data, total } => {
            // Clerk may serve fewer than `limit` per page: step by what it served.
            let step = data.len();
            if step == 0 {
                return Err(ListError::Changed(format!(
                    "the first page is empty but total_count is {total}"
                )));
            }
            let mut set = JoinSet::new();
            for offset in (step..total).step_by(step) {
                let (client, api, label) = (client.clone(), api.clone(), label.to_owned());
                set.spawn(async move {
                    let p = fetch(&client, &api, path, paging, offset, &label).await;
                    (offset, p)
                });
            }
            let mut pages = vec![(0, data)];
            while let Some(joined) = set.join_next().await {
                let (offset, p) =
                    joined.map_err(|e| ListError::Shape(format!("a page task failed: {e}")))?;
                let (p, page_ids) = p?;
                ids.extend(page_ids);
                match p {
                    Page::Envelope { data, total: t } if t == total => pages.push((offset, data)),
                    Page::Envelope { total: t, .. } => {
                        return Err(ListError::Changed(format!(
                            "total_count moved from {total} to {t}"
                        )));
                    }
                    Page::Bare(_) => {
                        return Err(ListError::Shape(
                            "a later page lost the {data, total_count} envelope".into(),
                        ));
                    }
                }
            }
            pages.sort_by_key(|(o, _)| *o);
            let items: Vec<Value> = pages.into_iter().flat_map(|(_, d)| d).collect();
            if items.len() != total {
                return Err(ListError::Changed(format!(
                    "read {} entries but total_count is {total}",
                    items.len()
                )));
            }
            items
        }
        Page::Bare(mut items) => {
            // No count: keep reading while pages come back full.
            let mut last = items.len();
            while pages_allowed && last >= LIMIT {
                let (more, page_ids) = fetch(client, api, path, paging, items.len(), label).await?;
                let more = match more {
                    Page::Bare(d) | Page::Envelope { data: d, .. } => d,
                };
                ids.extend(page_ids);
                last = more.len();
                items.extend(more);
            }
            items
        }
    };
    check_unique(&items, ids)?;
    Ok(items)
}

/// One hasher for every page, so that equal ids hash alike.
const ID_HASHER: BuildHasherDefault<DefaultHasher> = BuildHasherDefault::new();

/// Hashes of the `id`s of the entries that have one.
fn id_hashes(items: &[Value]) -> Vec<u64> {
    items
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_str))
        .map(|id| ID_HASHER.hash_one(id))
        .collect()
}

/// Entries with an `id` must not repeat: a repeat means pages shifted under us. `ids` are the
/// entries' [`id_hashes`]: when no two are equal no id repeats; equal hashes are confirmed (or
/// not: a collision) on the ids themselves.
fn check_unique(items: &[Value], mut ids: Vec<u64>) -> Result<(), ListError> {
    ids.sort_unstable();
    if ids.windows(2).all(|w| w[0] != w[1]) {
        return Ok(());
    }
    find_repeat(items)
}

fn find_repeat(items: &[Value]) -> Result<(), ListError> {
    let mut seen = HashSet::with_capacity(items.len());
    for id in items
        .iter()
        .filter_map(|i| i.get("id").and_then(Value::as_str))
    {
        if !seen.insert(id) {
            return Err(ListError::Changed(format!(
                "entry `{id}` was returned twice (pages shifted)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_accept_both_shapes() {
        assert!(matches!(page(json!([1, 2])), Ok(Page::Bare(v)) if v.len() == 2));
        assert!(matches!(
            page(json!({"data": [1], "total_count": 3})),
            Ok(Page::Envelope { total: 3, .. })
        ));
        assert!(matches!(page(json!({"data": [1]})), Ok(Page::Bare(_))));
        assert!(matches!(
            page(json!({"items": []})),
            Err(ListError::Shape(_))
        ));
        assert!(matches!(page(json!("x")), Err(ListError::Shape(_))));
    }

    #[test]
    fn duplicates_are_a_change() {
        let ok = [json!({"id": "a"}), json!({"id": "b"}), json!({"x": 1})];
        assert!(check_unique(&ok, id_hashes(&ok)).is_ok());
        let dup = [json!({"id": "a"}), json!({"x": 1}), json!({"id": "a"})];
        assert!(
            matches!(check_unique(&dup, id_hashes(&dup)), Err(ListError::Changed(m)) if m.contains("`a`"))
        );
        // Pages hashed separately, as `read_once` does.
        let mut ids = id_hashes(&dup[..1]);
        ids.extend(id_hashes(&dup[1..]));
        assert!(check_unique(&dup, ids).is_err());
    }

    #[test]
    fn a_hash_collision_is_not_a_repeat() {
        let ok = [json!({"id": "a"}), json!({"id": "b"})];
        assert!(check_unique(&ok, vec![7, 7]).is_ok());
    }

    #[test]
    fn queries_follow_the_spec_parameters() {
        assert!(query(Paging::Whole, 0).is_empty());
        assert_eq!(
            query(Paging::Paginated, 500),
            vec![
                ("paginated", "true".to_owned()),
                ("limit", "500".to_owned()),
                ("offset", "500".to_owned())
            ]
        );
        assert_eq!(
            query(Paging::LimitOffset, 0),
            vec![("limit", "500".to_owned()), ("offset", "0".to_owned())]
        );
    }
}
