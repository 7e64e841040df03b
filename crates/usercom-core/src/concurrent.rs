//! Fetching the pages of a listing several at a time, items still in order.
//!
//! Page-numbered listings (`?page=2`) that say how many items they hold (`count`) can be
//! fetched concurrently once the first page shows the page size: [`Concurrent`] plans the
//! remaining page URLs, hands out up to `max_in_flight` requests, takes the answers in any
//! order and yields the items in the listing's order. A listing with cursor links (which
//! cannot be planned) is walked one page after another, as [`Listing`] does.
//!
//! Data can shift while pages are fetched: an item inserted at the head pushes the last item
//! of a page onto the next one. Items are read as raw JSON first, and an item whose `id` was
//! already delivered by the page before is skipped, so nothing is delivered twice; each item is
//! then decoded into `T` from its own bytes. If the last planned page still links on (the
//! listing grew), the rest is followed one page at a time.
//!
//! The driver does no IO; a client runs it as:
//!
//! ```text
//! loop {
//!     match driver.poll() {
//!         Poll::Item(item) => return Some(Ok(item)),
//!         Poll::Failed(error) => return Some(Err(error)),
//!         Poll::End => return None,
//!         Poll::Pending => {
//!             while let Some((page, request)) = driver.next_request() { start(page, request) }
//!             let (page, response, attempts) = wait_for_any();
//!             driver.receive(page, response, attempts);
//!         }
//!     }
//! }
//! ```

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::marker::PhantomData;

use http::{Request, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::endpoint::{RawJson, decode_json};
use crate::listing::{Listing, MAX_EMPTY_PAGES_IN_A_ROW, Page, Paginator, Step};
use crate::{Error, PaginationError};

/// What the driver has for the caller.
#[derive(Debug)]
pub enum Poll<T> {
    /// The next item, in listing order.
    Item(T),
    /// The listing failed; every item before the failure was delivered. It ends after this.
    Failed(Error),
    /// Nothing can be delivered until more answers arrive: send what
    /// [`next_request`](Concurrent::next_request) gives and [`receive`](Concurrent::receive)
    /// the answers.
    Pending,
    /// Every item was delivered.
    End,
}

/// The concurrent listing driver. See the [module documentation](self).
#[derive(Debug)]
pub struct Concurrent<T> {
    max_in_flight: usize,
    phase: Phase,
    /// Items of the pages delivered so far that were not yielded yet.
    ready: VecDeque<RawJson>,
    /// Ids of the page delivered last, and of the one being delivered.
    previous_ids: HashSet<i64>,
    current_ids: HashSet<i64>,
    failed: Option<Error>,
    finished: bool,
    /// Whether the end was reported (as `End`, or as the error that ended the listing).
    reported: bool,
    /// The first page's `count`, and how many items were delivered.
    counted: Option<u64>,
    delivered: u64,
    /// Planned pages delivered empty in a row (the count promised more than the server has).
    empty_in_a_row: u32,
    item: PhantomData<fn() -> T>,
}

#[derive(Debug)]
enum Phase {
    /// The first page, fetched alone to learn the page size and the kind of links.
    First {
        pages: Paginator<RawJson>,
        sent: bool,
    },
    /// Pages planned from the first: `url_for(n)` for `n` in `2..=last`.
    Planned(Plan),
    /// One page after another (cursor links, or a listing that grew past its plan); `true`
    /// while its one request is out.
    Sequential(Listing<RawJson>, bool),
    /// Between two phases, for an instant.
    Switching,
}

#[derive(Debug)]
struct Plan {
    pages: Paginator<RawJson>,
    template: Url,
    last: u64,
    next_to_send: u64,
    next_to_deliver: u64,
    in_flight: usize,
    arrived: BTreeMap<u64, Page<RawJson>>,
    failures: BTreeMap<u64, Error>,
}

impl Plan {
    fn url_for(&self, page: u64) -> Url {
        let mut url = self.template.clone();
        let pairs: Vec<(String, String)> = self
            .template
            .query_pairs()
            .map(|(name, value)| {
                let value = if name == "page" {
                    page.to_string()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url
    }
}

#[derive(Deserialize)]
struct Id {
    #[serde(default)]
    id: Option<i64>,
}

impl<T: DeserializeOwned> Concurrent<T> {
    /// A driver over this paginator, with at most `max_in_flight` requests at once (at
    /// least 1).
    pub fn new(pages: Paginator<RawJson>, max_in_flight: usize) -> Self {
        Self {
            max_in_flight: max_in_flight.max(1),
            phase: Phase::First { pages, sent: false },
            ready: VecDeque::new(),
            previous_ids: HashSet::new(),
            current_ids: HashSet::new(),
            failed: None,
            finished: false,
            reported: false,
            counted: None,
            delivered: 0,
            empty_in_a_row: 0,
            item: PhantomData,
        }
    }

    /// The most requests it has out at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight
    }

    /// The stable name of the operation being listed.
    pub fn name(&self) -> &'static str {
        match &self.phase {
            Phase::First { pages, .. } => pages.name(),
            Phase::Planned(plan) => plan.pages.name(),
            Phase::Sequential(listing, _) => listing.name(),
            Phase::Switching => "",
        }
    }

    /// The next item, or what the driver needs first.
    pub fn poll(&mut self) -> Poll<T> {
        loop {
            if let Some(raw) = self.ready.pop_front() {
                let id = serde_json::from_str::<Id>(raw.get())
                    .ok()
                    .and_then(|i| i.id);
                if let Some(id) = id {
                    if self.previous_ids.contains(&id) || self.current_ids.contains(&id) {
                        // Shifted onto this page from the one before: already delivered.
                        continue;
                    }
                    // Pages of the plan keep their ids for the page after them; pages
                    // followed one by one are not planned, and keep none.
                    if !matches!(self.phase, Phase::Sequential(..)) {
                        self.current_ids.insert(id);
                    }
                }
                return match decode_json::<T>(http::StatusCode::OK, raw.get().as_bytes()) {
                    Ok(item) => {
                        self.delivered += 1;
                        Poll::Item(item)
                    }
                    Err(error) => {
                        self.ready.clear();
                        self.fail(error)
                    }
                };
            }
            if self.finished {
                if self.reported {
                    return Poll::End;
                }
                self.reported = true;
                // The end of a listing that delivered fewer items than its first page
                // counted is reported, as the sequential listing does.
                return match self.counted {
                    Some(counted) if self.delivered < counted => {
                        Poll::Failed(Error::Pagination(PaginationError::FewerThanCounted {
                            counted,
                            received: self.delivered,
                        }))
                    }
                    _ => Poll::End,
                };
            }
            if let Some(error) = self.failed.take() {
                return self.fail(error);
            }
            match self.advance() {
                Some(poll) => return poll,
                None => continue,
            }
        }
    }

    /// Ends the listing with `error`: nothing is reported after it.
    fn fail(&mut self, error: Error) -> Poll<T> {
        self.finished = true;
        self.reported = true;
        Poll::Failed(error)
    }

    /// Moves the next delivered page into `ready`; `Some` when the caller must act first.
    /// `None` also when the listing has just finished (`poll` reports the end).
    fn advance(&mut self) -> Option<Poll<T>> {
        match &mut self.phase {
            Phase::First { .. } => Some(Poll::Pending),
            Phase::Switching => {
                self.finished = true;
                None
            }
            Phase::Sequential(listing, _) => match listing.step() {
                Step::Item(raw) => {
                    self.ready.push_back(raw);
                    // Sequential pages are not re-planned; ids still guard a shifted item.
                    None
                }
                Step::Send(_) => Some(Poll::Pending),
                Step::Failed(error) => Some(self.fail(error)),
                Step::End => {
                    self.finished = true;
                    None
                }
            },
            Phase::Planned(plan) => {
                let page_number = plan.next_to_deliver;
                if page_number > plan.last {
                    return self.after_plan();
                }
                if let Some(page) = plan.arrived.remove(&page_number) {
                    plan.next_to_deliver += 1;
                    self.empty_in_a_row = if page.results.is_empty() {
                        self.empty_in_a_row + 1
                    } else {
                        0
                    };
                    if self.empty_in_a_row >= MAX_EMPTY_PAGES_IN_A_ROW && page_number < plan.last {
                        // The count promised pages the server does not have: the plan is
                        // not followed to its end (a made-up count could be any size).
                        let url = plan.url_for(page_number + 1).to_string();
                        let error = Error::Pagination(PaginationError::EmptyPages {
                            pages: self.empty_in_a_row,
                            url: crate::endpoint::redact_text(&url, plan.pages.config().api_key()),
                        });
                        return Some(self.fail(error));
                    }
                    self.previous_ids = std::mem::take(&mut self.current_ids);
                    self.ready.extend(page.results);
                    return None;
                }
                if let Some(error) = plan.failures.remove(&page_number) {
                    return Some(self.fail(error));
                }
                Some(Poll::Pending)
            }
        }
    }

    /// Every planned page was delivered: end, or follow the last page's `next` if the
    /// listing grew meanwhile.
    fn after_plan(&mut self) -> Option<Poll<T>> {
        match std::mem::replace(&mut self.phase, Phase::Switching) {
            Phase::Planned(plan) if plan.pages.next_url().is_some() => {
                self.phase = Phase::Sequential(Listing::new(plan.pages), false);
                None
            }
            other => {
                self.phase = other;
                self.finished = true;
                None
            }
        }
    }

    /// A request to send now, with its page number, while fewer than `max_in_flight` are
    /// out; `None` when nothing more may be sent until an answer arrives.
    pub fn next_request(&mut self) -> Option<(u64, Request<Vec<u8>>)> {
        match &mut self.phase {
            Phase::Switching => None,
            Phase::First { pages, sent } => {
                if *sent || self.finished {
                    return None;
                }
                match pages.next_request() {
                    Ok(Some(request)) => {
                        *sent = true;
                        Some((1, request))
                    }
                    Ok(None) => {
                        self.finished = true;
                        None
                    }
                    Err(error) => {
                        self.failed = Some(error);
                        None
                    }
                }
            }
            Phase::Sequential(_, true) => None,
            Phase::Sequential(listing, out) => match listing.step() {
                Step::Send(request) => {
                    *out = true;
                    Some((0, request))
                }
                Step::Item(raw) => {
                    self.ready.push_back(raw);
                    None
                }
                Step::Failed(error) => {
                    self.failed = Some(error);
                    None
                }
                Step::End => {
                    self.finished = true;
                    None
                }
            },
            Phase::Planned(plan) => {
                let stop_at = plan.failures.keys().next().copied().unwrap_or(u64::MAX);
                // Pages answered ahead of the one being delivered wait in memory: a stalled
                // page holds back at most a window of them.
                let window = 2 * self.max_in_flight as u64;
                if plan.in_flight >= self.max_in_flight
                    || plan.next_to_send > plan.last
                    || plan.next_to_send >= stop_at
                    || plan.next_to_send >= plan.next_to_deliver.saturating_add(window)
                {
                    return None;
                }
                let page = plan.next_to_send;
                let url = plan.url_for(page);
                match plan
                    .pages
                    .config()
                    .request_for_url(plan.pages.method().clone(), &url, None)
                {
                    Ok(request) => {
                        plan.next_to_send += 1;
                        plan.in_flight += 1;
                        Some((page, request))
                    }
                    Err(error) => {
                        plan.failures.insert(page, error);
                        None
                    }
                }
            }
        }
    }

    /// Takes the outcome of the request for `page` (as [`next_request`](Self::next_request)
    /// numbered it), after `attempts` attempts.
    pub fn receive<B: AsRef<[u8]>>(
        &mut self,
        page: u64,
        outcome: Result<Response<B>, Error>,
        attempts: u32,
    ) {
        let max_in_flight = self.max_in_flight;
        match &mut self.phase {
            Phase::First { pages, .. } => {
                let page = match outcome.and_then(|response| pages.process(response)) {
                    Ok(page) => page,
                    Err(error) => {
                        self.failed = Some(error.with_attempts(attempts));
                        return;
                    }
                };
                let plan = plan(pages, &page, max_in_flight);
                self.counted = page.count;
                self.ready.extend(page.results);
                let Phase::First { pages, .. } =
                    std::mem::replace(&mut self.phase, Phase::Switching)
                else {
                    return;
                };
                self.phase = match plan {
                    Some((template, last)) => Phase::Planned(Plan {
                        pages,
                        template,
                        last,
                        next_to_send: 2,
                        next_to_deliver: 2,
                        in_flight: 0,
                        arrived: BTreeMap::new(),
                        failures: BTreeMap::new(),
                    }),
                    None => Phase::Sequential(Listing::new(pages), false),
                };
            }
            Phase::Switching => {}
            Phase::Sequential(listing, out) => {
                *out = false;
                listing.receive(outcome, attempts);
            }
            Phase::Planned(plan) => {
                plan.in_flight = plan.in_flight.saturating_sub(1);
                let is_last = page == plan.last;
                let result = outcome.and_then(|response| {
                    if is_last {
                        // The last page goes through the paginator, which learns whether
                        // the listing grew past the plan (its `next`).
                        let url = plan.url_for(page);
                        // It never saw the first page: the driver checks the count itself.
                        plan.pages = Paginator::from_url(
                            plan.pages.config().clone(),
                            plan.pages.name(),
                            url.as_str(),
                        )?
                        .without_count_check();
                        plan.pages.process(response)
                    } else {
                        plan.pages
                            .config()
                            .parse_with(response, decode_json::<Page<RawJson>>)
                    }
                });
                match result {
                    Ok(arrived) => {
                        plan.arrived.insert(page, arrived);
                    }
                    Err(Error::Api(api)) if api.status == http::StatusCode::NOT_FOUND => {
                        let url = plan.url_for(page).to_string();
                        let error = Error::Pagination(PaginationError::NextPageNotFound {
                            url: crate::endpoint::redact_text(&url, plan.pages.config().api_key()),
                            pages: page - 1,
                        });
                        plan.failures.insert(page, error.with_attempts(attempts));
                    }
                    Err(error) => {
                        plan.failures.insert(page, error.with_attempts(attempts));
                    }
                }
            }
        }
    }

    /// How many items of the pages delivered are not yet yielded: 0 right after the last
    /// item of a page, so a caller can tell where pages end.
    pub fn buffered(&self) -> usize {
        match &self.phase {
            Phase::Sequential(listing, _) => self.ready.len() + listing.buffered(),
            _ => self.ready.len(),
        }
    }

    /// How many requests are out.
    pub fn in_flight(&self) -> usize {
        match &self.phase {
            Phase::Planned(plan) => plan.in_flight,
            Phase::Sequential(_, true) => 1,
            _ => 0,
        }
    }
}

/// The plan a first page allows: the template URL of page 2 and the last page number, when
/// the links are page-numbered, the count is known and more than one page remains.
fn plan(
    pages: &Paginator<RawJson>,
    first: &Page<RawJson>,
    max_in_flight: usize,
) -> Option<(Url, u64)> {
    if max_in_flight < 2 {
        return None;
    }
    let next = pages.next_url()?;
    let numbered = next
        .query_pairs()
        .any(|(name, value)| name == "page" && value == "2");
    let size = first.results.len() as u64;
    let count = first.count?;
    if !numbered || size == 0 {
        return None;
    }
    let last = count.div_ceil(size);
    (last >= 2).then(|| (next.clone(), last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;
    use crate::conversations::ListConversations;
    use http::StatusCode;
    use serde_json::{Value, json};

    const ROOT: &str = "http://127.0.0.1:1/api/public/conversations/";

    fn config() -> Config {
        Config::for_base_url("http://127.0.0.1:1/", "k3yk3yk3yk3y").unwrap()
    }

    /// The page number of a request, or its cursor for cursor links; 1 for the first page.
    fn page_number(request: &Request<Vec<u8>>) -> u64 {
        request
            .uri()
            .query()
            .and_then(|q| {
                q.split('&').find_map(|p| {
                    p.strip_prefix("page=")
                        .or_else(|| p.strip_prefix("cursor="))
                })
            })
            .map_or(1, |n| n.parse().unwrap())
    }

    /// A server of `count` items, `size` a page, numbered links; `answer` may replace a page.
    fn numbered(count: u64, size: u64) -> impl Fn(u64) -> Response<String> {
        move |page| {
            let last = count.div_ceil(size);
            let ids: Vec<Value> = ((page - 1) * size..(page * size).min(count))
                .map(|n| json!({"id": 1000 - n as i64}))
                .collect();
            let next = (page < last).then(|| format!("{ROOT}?page={}", page + 1));
            Response::new(json!({"count": count, "next": next, "results": ids}).to_string())
        }
    }

    /// Runs the driver, answering the requests in flight in reverse order (the most recent
    /// first); returns the ids delivered, the error, the most requests ever in flight and
    /// every page number requested.
    fn drive(
        max_in_flight: usize,
        server: impl Fn(u64) -> Response<String>,
    ) -> (Vec<i64>, Option<Error>, usize, Vec<u64>) {
        let pages = Paginator::new(config(), &crate::RawItems(ListConversations::all()));
        let mut driver = Concurrent::<Value>::new(pages, max_in_flight);
        let (mut ids, mut out, mut most, mut asked) = (Vec::new(), Vec::new(), 0, Vec::new());
        loop {
            match driver.poll() {
                Poll::Item(item) => ids.push(item["id"].as_i64().unwrap()),
                Poll::Failed(error) => {
                    assert!(matches!(driver.poll(), Poll::End));
                    return (ids, Some(error), most, asked);
                }
                Poll::End => return (ids, None, most, asked),
                Poll::Pending => {
                    while let Some((page, request)) = driver.next_request() {
                        let number = if page == 0 {
                            page_number(&request)
                        } else {
                            page
                        };
                        asked.push(number);
                        out.push((page, number));
                    }
                    most = most.max(out.len());
                    let (page, number) = out.pop().expect("pending with nothing in flight");
                    driver.receive(page, Ok(server(number)), 1);
                }
            }
        }
    }

    #[test]
    fn pages_arrive_in_any_order_and_items_leave_in_order() {
        let (ids, error, most, asked) = drive(4, numbered(95, 10));
        assert!(error.is_none(), "{error:?}");
        let expected: Vec<i64> = (0..95).map(|n| 1000 - n).collect();
        assert_eq!(ids, expected);
        assert_eq!(most, 4, "at most 4 requests in flight");
        let mut sorted = asked.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=10).collect::<Vec<_>>(), "each page once");
    }

    #[test]
    fn one_in_flight_or_cursor_links_page_one_after_another() {
        let (ids, error, most, _) = drive(1, numbered(25, 10));
        assert_eq!((ids.len(), error.is_none(), most), (25, true, 1));

        // Cursor links carry no page number: the test server numbers a request by its
        // cursor (0 for the first page, then 10, 20).
        let cursor = |number: u64| {
            let page = if number == 1 { 0 } else { number };
            let next = (page < 20).then(|| format!("{ROOT}?cursor={}", page + 10));
            let ids: Vec<Value> = (0..10).map(|n| json!({"id": page * 100 + n})).collect();
            Response::new(json!({"next": next, "results": ids}).to_string())
        };
        let (ids, error, most, asked) = drive(8, cursor);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(most, 1, "cursor links cannot be planned");
        assert_eq!(ids.len(), 30);
        assert_eq!(asked, [1, 10, 20]);
    }

    #[test]
    fn an_item_that_shifted_onto_the_next_page_is_delivered_once() {
        let base = numbered(30, 10);
        let shifted = move |page: u64| {
            if page >= 2 {
                // An item was inserted at the head after page 1 was read: every later page
                // starts with the last item of the page before, and a 4th page appears.
                let ids: Vec<Value> = ((page - 1) * 10 - 1..(page * 10 - 1).min(30))
                    .map(|n| json!({"id": 1000 - n as i64}))
                    .collect();
                let next = (page * 10 - 1 < 30).then(|| format!("{ROOT}?page={}", page + 1));
                Response::new(json!({"count": 31, "next": next, "results": ids}).to_string())
            } else {
                base(page)
            }
        };
        let (ids, error, _, _) = drive(3, shifted);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(
            ids.len(),
            30,
            "every item that was there at the start: {ids:?}"
        );
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "delivered twice: {ids:?}");
    }

    #[test]
    fn a_failed_page_ends_the_listing_after_every_item_before_it() {
        let base = numbered(50, 10);
        let failing = move |page: u64| {
            if page == 3 {
                let mut response = Response::new(r#"{"detail": "Boom."}"#.to_owned());
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                response
            } else {
                base(page)
            }
        };
        let (ids, error, _, _) = drive(4, failing);
        assert_eq!(ids.len(), 20, "pages 1 and 2 only");
        assert_eq!(error.unwrap().status(), Some(StatusCode::BAD_GATEWAY));

        let base = numbered(50, 10);
        let missing = move |page: u64| {
            if page == 4 {
                let mut response = Response::new(r#"{"detail": "Invalid page."}"#.to_owned());
                *response.status_mut() = StatusCode::NOT_FOUND;
                response
            } else {
                base(page)
            }
        };
        let (ids, error, _, _) = drive(4, missing);
        assert_eq!(ids.len(), 30);
        assert!(
            matches!(
                error,
                Some(Error::Pagination(PaginationError::NextPageNotFound {
                    pages: 3,
                    ..
                }))
            ),
            "{error:?}"
        );
    }

    #[test]
    fn a_listing_that_grew_past_its_plan_is_followed_to_its_end() {
        let base = numbered(30, 10);
        let grown = move |page: u64| {
            if page == 3 {
                let ids: Vec<Value> = (20..30).map(|n| json!({"id": 1000 - n})).collect();
                let next = format!("{ROOT}?page=4");
                Response::new(json!({"count": 32, "next": next, "results": ids}).to_string())
            } else if page == 4 {
                let ids: Vec<Value> = (30..32).map(|n| json!({"id": 1000 - n})).collect();
                Response::new(json!({"count": 32, "next": null, "results": ids}).to_string())
            } else {
                base(page)
            }
        };
        let (ids, error, _, asked) = drive(8, grown);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(ids.len(), 32);
        assert_eq!(asked.iter().filter(|&&page| page == 4).count(), 1);
    }

    #[test]
    fn a_count_that_promised_more_than_arrived_is_reported_after_every_item() {
        // 30 counted, but the last planned page holds only 5 and ends the listing.
        let base = numbered(30, 10);
        let short = move |page: u64| {
            if page == 3 {
                let ids: Vec<Value> = (20..25).map(|n| json!({"id": 1000 - n})).collect();
                Response::new(json!({"count": 30, "next": null, "results": ids}).to_string())
            } else {
                base(page)
            }
        };
        for in_flight in [1, 8] {
            let (ids, error, _, _) = drive(in_flight, &short);
            assert_eq!(ids.len(), 25, "with {in_flight} in flight");
            assert!(
                matches!(
                    error,
                    Some(Error::Pagination(PaginationError::FewerThanCounted {
                        counted: 30,
                        received: 25
                    }))
                ),
                "with {in_flight} in flight: {error:?}"
            );
        }
    }

    #[test]
    fn a_made_up_count_does_not_plan_pages_forever() {
        // The first page counts 10^15 items; every later page is empty but numbered on.
        let server = |page: u64| {
            let ids: Vec<Value> = if page == 1 {
                (0..10).map(|n| json!({"id": 1000 - n})).collect()
            } else {
                Vec::new()
            };
            let next = format!("{ROOT}?page={}", page + 1);
            Response::new(
                json!({"count": 1_000_000_000_000_000_u64, "next": next, "results": ids})
                    .to_string(),
            )
        };
        let (ids, error, _, asked) = drive(4, server);
        assert_eq!(ids.len(), 10);
        assert!(
            matches!(
                error,
                Some(Error::Pagination(PaginationError::EmptyPages { .. }))
            ),
            "{error:?}"
        );
        assert!(asked.len() < 20, "{} pages asked", asked.len());
    }
}
