//! Paginated listings: the page envelope, the paginator that follows `next` links, and the
//! listing driver that both clients wrap in a few lines.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::marker::PhantomData;

use http::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::API_ROOT;
use crate::endpoint::{PagedEndpoint, decode_json, redact_text};
use crate::error::PaginationError;
use crate::{Config, Error};

/// How many pages in a row may be empty while still linking to a `next` page. A server that
/// keeps doing it would otherwise be followed forever.
pub const MAX_EMPTY_PAGES_IN_A_ROW: u32 = 3;

/// One page of a listing: `{"count", "next", "previous", "results"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// Total number of items across all pages, when the endpoint counts them
    /// (cursor-paginated endpoints do not).
    #[serde(default)]
    pub count: Option<u64>,
    /// Absolute URL of the next page; `None` on the last page.
    #[serde(default)]
    pub next: Option<String>,
    /// Absolute URL of the previous page.
    #[serde(default)]
    pub previous: Option<String>,
    /// The items of this page.
    pub results: Vec<T>,
    /// Every other field of the envelope, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl<T> Page<T> {
    /// A page with these fields.
    pub fn new(
        count: Option<u64>,
        next: Option<String>,
        previous: Option<String>,
        results: Vec<T>,
    ) -> Self {
        Self {
            count,
            next,
            previous,
            results,
            extra: serde_json::Map::new(),
        }
    }
}

/// Walks a paginated listing, one request at a time, without doing any IO.
///
/// Call [`next_request`](Self::next_request), send it with any HTTP client, hand the response
/// to [`process`](Self::process), and repeat until `next_request` returns `None`.
///
/// - The first request is the operation itself. Later ones follow the `next` link, which is
///   treated as opaque: only its path and query below `/api/public/` are kept and re-rooted on
///   the configured base URL, so a proxy or a test server keeps working and the key is never
///   sent to another host. A `next` outside the API root is an error. A `next` whose path
///   lost its trailing slash (`/lists?cursor=…`) gets it back instead of meeting a redirect.
/// - A URL is never requested twice: a `next` that loops is an error, reported by the
///   following `next_request` so that the page that carried it is still delivered.
/// - A 404 on a later page (User.com's `/lists/` is known to link to pages that do not
///   exist) ends the listing with [`PaginationError::NextPageNotFound`]: the items before it
///   were delivered, and the caller learns that the listing is incomplete.
/// - A failed response leaves the paginator where it was, so the same page can be retried.
/// - A listing whose last page arrives with fewer items in all than its first page counted
///   ends with [`PaginationError::FewerThanCounted`] (items changed while it was read, and
///   some may have been skipped); a listing without `count` is not checked.
///
/// ```
/// use usercom_core::{Config, Paginator, conversations::ListConversations};
///
/// let config = Config::for_base_url("http://127.0.0.1:8080", "secret").unwrap();
/// let mut pages = Paginator::new(config, &ListConversations::all());
/// let first = pages.next_request().unwrap().unwrap();
/// assert_eq!(first.uri(), "http://127.0.0.1:8080/api/public/conversations/");
///
/// let body = r#"{"count": 0, "next": "https://acme.user.com/api/public/conversations/?page=2",
///                "previous": null, "results": []}"#;
/// pages.process(http::Response::new(body)).unwrap();
/// let second = pages.next_request().unwrap().unwrap();
/// assert_eq!(second.uri(), "http://127.0.0.1:8080/api/public/conversations/?page=2");
///
/// let last = r#"{"count": 0, "next": null, "previous": null, "results": []}"#;
/// pages.process(http::Response::new(last)).unwrap();
/// assert!(pages.next_request().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct Paginator<T> {
    config: Config,
    name: &'static str,
    method: Method,
    state: State,
    /// Hashes of the URLs requested so far: enough to see a loop, without keeping them all.
    requested: HashSet<u64>,
    pages: u64,
    empty_in_a_row: u32,
    /// The `count` of the first page, when the listing is checked against it.
    counted: Option<u64>,
    /// Whether the first page's `count` is checked at the end (not for a listing resumed
    /// in the middle, which never saw the first page).
    check_count: bool,
    /// How many items the pages held.
    received: u64,
    item: PhantomData<fn() -> T>,
}

#[derive(Debug)]
enum State {
    /// The first request could not be built.
    Invalid(String),
    Next(Url),
    /// The listing cannot go on; the error is reported by the next `next_request`.
    Stopped(PaginationError),
    Done,
}

impl<T: DeserializeOwned> Paginator<T> {
    /// A paginator that starts with the operation's own request.
    pub fn new<E: PagedEndpoint<Item = T> + ?Sized>(config: Config, endpoint: &E) -> Self {
        // A listing's input is checked as a single call's is: `body()` is where an
        // operation refuses bad input, even one that sends no body.
        let state = match endpoint.body().and_then(|_| config.url(endpoint)) {
            Ok(url) => State::Next(url),
            Err(error) => State::Invalid(error.to_string()),
        };
        Self::starting(config, E::NAME, E::METHOD, state)
    }

    /// A paginator that starts at `first`, a URL below the API root (the `users` link of a
    /// segment, or a path given to `usercom api`). A URL outside the root is an error.
    pub fn from_url(config: Config, name: &'static str, first: &str) -> Result<Self, Error> {
        let base = config.base_url().clone();
        let url = reroot(&base, &base, first)?;
        Ok(Self::starting(config, name, Method::GET, State::Next(url)))
    }

    fn starting(config: Config, name: &'static str, method: Method, state: State) -> Self {
        Self {
            config,
            name,
            method,
            state,
            requested: HashSet::new(),
            pages: 0,
            empty_in_a_row: 0,
            counted: None,
            check_count: true,
            received: 0,
            item: PhantomData,
        }
    }

    /// The request for the next page, `None` when the listing is complete, or the error that
    /// stopped it.
    pub fn next_request(&self) -> Result<Option<Request<Vec<u8>>>, Error> {
        match &self.state {
            State::Invalid(message) => Err(Error::invalid_input(message.clone())),
            State::Next(url) => self
                .config
                .request_for_url(self.method.clone(), url, None)
                .map(Some),
            State::Stopped(error) => Err(Error::Pagination(error.clone())),
            State::Done => Ok(None),
        }
    }

    /// Reads the response to the last request: returns its page and moves on to the `next`
    /// link. An error leaves the position unchanged, except a 404 on a later page, which
    /// ends the listing.
    pub fn process<B: AsRef<[u8]>>(&mut self, response: Response<B>) -> Result<Page<T>, Error> {
        let current = match &self.state {
            State::Next(url) => url.clone(),
            _ => {
                return Err(Error::invalid_input(
                    "the paginator got a response it did not ask for",
                ));
            }
        };
        let page = match self.config.parse_with(response, decode_json::<Page<T>>) {
            Err(Error::Api(api)) if self.pages > 0 && api.status == StatusCode::NOT_FOUND => {
                self.state = State::Done;
                return Err(Error::Pagination(PaginationError::NextPageNotFound {
                    url: self.shown(current.as_str()),
                    pages: self.pages,
                }));
            }
            other => other?,
        };
        self.requested.insert(fingerprint(&current));
        if self.pages == 0 {
            self.counted = page.count;
        }
        self.pages += 1;
        self.received += page.results.len() as u64;
        self.empty_in_a_row = if page.results.is_empty() {
            self.empty_in_a_row + 1
        } else {
            0
        };
        self.state = match page.next.as_deref() {
            None | Some("") => match self.counted {
                Some(counted) if self.check_count && self.received < counted => {
                    State::Stopped(PaginationError::FewerThanCounted {
                        counted,
                        received: self.received,
                    })
                }
                _ => State::Done,
            },
            Some(link) => match reroot(self.config.base_url(), &current, link) {
                Err(Error::Pagination(PaginationError::ForeignNext { url, root })) => {
                    State::Stopped(PaginationError::ForeignNext {
                        url: self.shown(&url),
                        root,
                    })
                }
                Err(other) => State::Stopped(PaginationError::ForeignNext {
                    url: self.shown(&other.to_string()),
                    root: self.config.base_url().to_string(),
                }),
                Ok(url) if self.requested.contains(&fingerprint(&url)) => {
                    State::Stopped(PaginationError::Loop {
                        url: self.shown(url.as_str()),
                    })
                }
                Ok(url) if self.empty_in_a_row >= MAX_EMPTY_PAGES_IN_A_ROW => {
                    State::Stopped(PaginationError::EmptyPages {
                        pages: self.empty_in_a_row,
                        url: self.shown(url.as_str()),
                    })
                }
                Ok(url) => State::Next(url),
            },
        };
        Ok(page)
    }

    /// This paginator without the end-of-listing check against the first page's `count`: for
    /// a listing resumed in the middle, or whose items are counted elsewhere.
    pub fn without_count_check(mut self) -> Self {
        self.check_count = false;
        self
    }

    /// A URL for an error message: the key never shows, even in a link the server made up.
    fn shown(&self, url: &str) -> String {
        redact_text(url, self.config.api_key())
    }

    /// Whether the listing is complete, or cannot go on.
    pub fn is_done(&self) -> bool {
        !matches!(self.state, State::Next(_))
    }

    /// How many pages have been processed.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The stable name of the operation being listed.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The URL of the next page to request, if the listing goes on.
    pub fn next_url(&self) -> Option<&Url> {
        match &self.state {
            State::Next(url) => Some(url),
            _ => None,
        }
    }

    /// The config requests are built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The HTTP method of every page's request.
    pub fn method(&self) -> &Method {
        &self.method
    }
}

/// A hash of the page a URL asks for. `page=1` is the first page however it is written
/// (DRF links to it without the parameter), so a link back to `?page=1` is a loop.
fn fingerprint(url: &Url) -> u64 {
    let mut hasher = DefaultHasher::new();
    url.path().hash(&mut hasher);
    for (name, value) in url.query_pairs() {
        if !(name == "page" && value == "1") {
            name.hash(&mut hasher);
            value.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Re-roots a `next` link on the configured API root.
///
/// `link` may be absolute or relative to `current`. What lies below the configured root, or
/// below `/api/public/` on any host, is kept; anything else is refused. A path without its
/// trailing slash gets one, as every path of the API has.
pub fn reroot(base: &Url, current: &Url, link: &str) -> Result<Url, Error> {
    let foreign = || {
        Error::Pagination(PaginationError::ForeignNext {
            url: link.to_owned(),
            root: base.to_string(),
        })
    };
    let absolute = current.join(link).map_err(|_| foreign())?;
    if absolute.scheme() != "http" && absolute.scheme() != "https" {
        return Err(foreign());
    }
    let same_origin = absolute.origin() == base.origin();
    let rest = match absolute.path().strip_prefix(base.path()) {
        Some(rest) if same_origin => rest,
        _ => absolute.path().strip_prefix(API_ROOT).ok_or_else(foreign)?,
    };
    let slash = if rest.is_empty() || rest.ends_with('/') {
        ""
    } else {
        "/"
    };
    let mut url = base.clone();
    url.set_path(&format!("{}{rest}{slash}", base.path()));
    url.set_query(absolute.query());
    if !url.path().starts_with(base.path()) {
        return Err(foreign());
    }
    Ok(url)
}

/// What a [`Listing`] wants next.
#[derive(Debug)]
pub enum Step<T> {
    /// The next item.
    Item(T),
    /// Send this request (with retries) and hand the outcome to [`Listing::receive`].
    Send(Request<Vec<u8>>),
    /// The listing failed or stopped early; every item before the failure was delivered.
    /// It ends after this.
    Failed(Error),
    /// Every item was delivered.
    End,
}

/// The listing driver: a paginator plus the page buffer and error handling that every
/// client needs. A client's iterator or stream is a loop over [`step`](Self::step):
///
/// ```text
/// loop {
///     match listing.step() {
///         Step::Item(item) => return Some(Ok(item)),
///         Step::Failed(error) => return Some(Err(error)),
///         Step::End => return None,
///         Step::Send(request) => {
///             let (response, attempts) = send_with_retries(request);
///             listing.receive(response, attempts);
///         }
///     }
/// }
/// ```
///
/// An error is delivered once, after every item received before it, and ends the listing:
/// a failure is never mistaken for the end.
#[derive(Debug)]
pub struct Listing<T> {
    pages: Paginator<T>,
    buffer: VecDeque<T>,
    failed: Option<Error>,
    finished: bool,
}

impl<T: DeserializeOwned> Listing<T> {
    /// A listing driven by this paginator.
    pub fn new(pages: Paginator<T>) -> Self {
        Self {
            pages,
            buffer: VecDeque::new(),
            failed: None,
            finished: false,
        }
    }

    /// What to do next.
    pub fn step(&mut self) -> Step<T> {
        if let Some(item) = self.buffer.pop_front() {
            return Step::Item(item);
        }
        if let Some(error) = self.failed.take() {
            self.finished = true;
            return Step::Failed(error);
        }
        if self.finished {
            return Step::End;
        }
        match self.pages.next_request() {
            Ok(Some(request)) => Step::Send(request),
            Ok(None) => {
                self.finished = true;
                Step::End
            }
            Err(error) => {
                self.finished = true;
                Step::Failed(error)
            }
        }
    }

    /// Takes the outcome of the request [`step`](Self::step) asked for, after `attempts`
    /// attempts (retries included).
    pub fn receive<B: AsRef<[u8]>>(&mut self, outcome: Result<Response<B>, Error>, attempts: u32) {
        match outcome.and_then(|response| self.pages.process(response)) {
            Ok(page) => self.buffer.extend(page.results),
            Err(error) => self.failed = Some(error.with_attempts(attempts)),
        }
    }

    /// How many pages have been received.
    pub fn pages(&self) -> u64 {
        self.pages.pages()
    }

    /// The stable name of the operation being listed.
    pub fn name(&self) -> &'static str {
        self.pages.name()
    }

    /// How many items of the pages received are not yet delivered: 0 right after the last
    /// item of a page, so a caller can tell where pages end.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::ListConversations;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn reroots_the_real_host_onto_a_proxy() {
        let base = url("http://127.0.0.1:9000/usercom/api/public/");
        let current = url("http://127.0.0.1:9000/usercom/api/public/conversations/");
        let cases = [
            (
                "https://acme.user.com/api/public/conversations/?page=2",
                "http://127.0.0.1:9000/usercom/api/public/conversations/?page=2",
            ),
            (
                "http://127.0.0.1:9000/usercom/api/public/conversations/?page=3&status=true",
                "http://127.0.0.1:9000/usercom/api/public/conversations/?page=3&status=true",
            ),
            (
                "/api/public/lists?cursor=101",
                "http://127.0.0.1:9000/usercom/api/public/lists/?cursor=101",
            ),
            (
                "https://acme.user.com/api/public/lists?cursor=101",
                "http://127.0.0.1:9000/usercom/api/public/lists/?cursor=101",
            ),
            (
                "?page=4",
                "http://127.0.0.1:9000/usercom/api/public/conversations/?page=4",
            ),
        ];
        for (link, expected) in cases {
            assert_eq!(reroot(&base, &current, link).unwrap().as_str(), expected);
        }
    }

    fn page(next: Option<&str>, ids: &[i64]) -> Response<String> {
        let results: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"id": id, "user": {"id": 1}, "active": true, "messages": 1}))
            .collect();
        Response::new(serde_json::json!({"next": next, "results": results}).to_string())
    }

    fn not_found() -> Response<String> {
        let mut response = Response::new(r#"{"detail": "Not found."}"#.to_owned());
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    }

    fn config() -> Config {
        Config::for_base_url("http://127.0.0.1:1/", "k3yk3yk3yk3y").unwrap()
    }

    /// Drives a listing over canned responses; returns the ids and the final error.
    fn drive(responses: Vec<Response<String>>) -> (Vec<i64>, Option<Error>, usize) {
        let mut listing = Listing::new(Paginator::new(config(), &ListConversations::all()));
        let mut responses = responses.into_iter();
        let (mut ids, mut sent) = (Vec::new(), 0);
        loop {
            match listing.step() {
                Step::Item(item) => ids.push(item.id),
                Step::Failed(error) => {
                    assert!(matches!(listing.step(), Step::End));
                    return (ids, Some(error), sent);
                }
                Step::End => return (ids, None, sent),
                Step::Send(_) => {
                    sent += 1;
                    let response = responses.next().expect("a request too many");
                    listing.receive(Ok(response), 1);
                }
            }
        }
    }

    const NEXT: &str = "http://127.0.0.1:1/api/public/conversations/?cursor=2";

    #[test]
    fn a_404_on_a_next_page_delivers_what_came_and_says_the_listing_stopped() {
        let (ids, error, sent) = drive(vec![page(Some(NEXT), &[3, 2]), not_found()]);
        assert_eq!((ids, sent), (vec![3, 2], 2));
        let Some(Error::Pagination(PaginationError::NextPageNotFound { url, pages })) = error
        else {
            panic!("{error:?}")
        };
        assert_eq!((url.as_str(), pages), (NEXT, 1));

        // A 404 on the first page is the plain API error.
        let (ids, error, _) = drive(vec![not_found()]);
        assert!(ids.is_empty());
        assert_eq!(error.unwrap().status(), Some(StatusCode::NOT_FOUND));
    }

    #[test]
    fn the_page_whose_next_loops_is_delivered_before_the_loop_is_reported() {
        let first = "http://127.0.0.1:1/api/public/conversations/";
        let (ids, error, sent) = drive(vec![page(Some(NEXT), &[4, 3]), page(Some(first), &[2, 1])]);
        assert_eq!((ids, sent), (vec![4, 3, 2, 1], 2));
        assert!(
            matches!(error, Some(Error::Pagination(PaginationError::Loop { .. }))),
            "{error:?}"
        );
    }

    #[test]
    fn a_link_back_to_page_1_is_a_loop_before_page_1_comes_again() {
        let back = "http://127.0.0.1:1/api/public/conversations/?page=1";
        let (ids, error, sent) = drive(vec![page(Some(NEXT), &[2]), page(Some(back), &[1])]);
        assert_eq!((ids, sent), (vec![2, 1], 2), "page 1 is not fetched twice");
        assert!(
            matches!(error, Some(Error::Pagination(PaginationError::Loop { .. }))),
            "{error:?}"
        );
    }

    #[test]
    fn empty_pages_that_keep_linking_on_are_bounded() {
        let responses = (0..10)
            .map(|n| page(Some(&format!("{NEXT}{n}")), &[]))
            .collect();
        let (ids, error, sent) = drive(responses);
        assert!(ids.is_empty());
        assert_eq!(sent, MAX_EMPTY_PAGES_IN_A_ROW as usize);
        assert!(
            matches!(
                error,
                Some(Error::Pagination(PaginationError::EmptyPages { .. }))
            ),
            "{error:?}"
        );
    }

    fn counted_page(count: u64, next: Option<&str>, ids: &[i64]) -> Response<String> {
        let mut value: serde_json::Value = serde_json::from_str(page(next, ids).body()).unwrap();
        value["count"] = count.into();
        Response::new(value.to_string())
    }

    #[test]
    fn a_listing_that_ends_short_of_its_count_says_so_after_every_item() {
        let (ids, error, _) = drive(vec![
            counted_page(5, Some(NEXT), &[5, 4]),
            counted_page(5, None, &[3, 2]),
        ]);
        assert_eq!(ids, vec![5, 4, 3, 2]);
        let Some(Error::Pagination(PaginationError::FewerThanCounted { counted, received })) =
            error
        else {
            panic!("{error:?}")
        };
        assert_eq!((counted, received), (5, 4));

        // As many as counted, or more (items added meanwhile), or no count: a normal end.
        for last in [&[3, 2, 1][..], &[3, 2, 1, 0][..]] {
            let (ids, error, _) = drive(vec![
                counted_page(5, Some(NEXT), &[5, 4]),
                counted_page(5, None, last),
            ]);
            assert_eq!(
                (ids.len(), error.is_none()),
                (2 + last.len(), true),
                "{error:?}"
            );
        }
        let (_, error, _) = drive(vec![page(Some(NEXT), &[5, 4]), page(None, &[3])]);
        assert!(error.is_none(), "{error:?}");
    }

    #[test]
    fn a_key_in_a_link_is_never_shown() {
        let evil = "https://evil.example/?token=k3yk3yk3yk3y";
        let (_, error, _) = drive(vec![page(Some(evil), &[1])]);
        let shown = format!("{} {:?}", error.as_ref().unwrap(), error);
        assert!(!shown.contains("k3yk3y"), "{shown}");
        assert!(shown.contains("evil.example"), "{shown}");
    }

    #[test]
    fn refuses_links_outside_the_api_root() {
        let base = url("https://acme.user.com/api/public/");
        let current = url("https://acme.user.com/api/public/conversations/");
        for link in [
            "https://evil.example/steal/?page=2",
            "https://acme.user.com/admin/",
            "https://acme.user.com/api/public/../../admin/",
            "https://acme.user.com/api/publicity/",
            "/other/",
            "ftp://acme.user.com/api/public/x/",
            "mailto:someone@example.com",
        ] {
            let err = reroot(&base, &current, link).unwrap_err();
            assert!(
                matches!(err, Error::Pagination(PaginationError::ForeignNext { .. })),
                "{link}: {err}"
            );
        }
    }
}
