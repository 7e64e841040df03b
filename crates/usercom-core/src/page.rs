//! Paginated listings: the page envelope and the paginator that follows `next` links.

use std::collections::HashSet;

use http::{Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::API_ROOT;
use crate::endpoint::{PagedEndpoint, parse_response};
use crate::error::PaginationError;
use crate::{Config, Error};

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
///   sent to another host. A `next` outside the API root is an error.
/// - A URL is never requested twice: a `next` that loops is an error.
/// - A failed response leaves the paginator where it was, so the same page can be retried.
///
/// ```
/// use usercom_core::{Config, Paginator, conversations::ListConversations};
///
/// let config = Config::for_base_url("http://127.0.0.1:8080", "secret").unwrap();
/// let mut pages = Paginator::new(config, ListConversations::all());
/// let first = pages.next_request().unwrap().unwrap();
/// assert_eq!(first.uri(), "http://127.0.0.1:8080/api/public/conversations/");
///
/// let body = r#"{"count": 3, "next": "https://acme.user.com/api/public/conversations/?page=2",
///                "previous": null, "results": []}"#;
/// pages.process(http::Response::new(body)).unwrap();
/// let second = pages.next_request().unwrap().unwrap();
/// assert_eq!(second.uri(), "http://127.0.0.1:8080/api/public/conversations/?page=2");
///
/// let last = r#"{"count": 3, "next": null, "previous": null, "results": []}"#;
/// pages.process(http::Response::new(last)).unwrap();
/// assert!(pages.next_request().unwrap().is_none());
/// ```
#[derive(Debug)]
pub struct Paginator<E> {
    config: Config,
    endpoint: E,
    state: State,
    requested: HashSet<String>,
    pages: u64,
    end_on_next_404: bool,
    ended_on_404: bool,
}

#[derive(Debug)]
enum State {
    First,
    Next(Url),
    Done,
}

impl<E: PagedEndpoint> Paginator<E> {
    /// A paginator that starts with the operation's own request.
    pub fn new(config: Config, endpoint: E) -> Self {
        Self {
            config,
            endpoint,
            state: State::First,
            requested: HashSet::new(),
            pages: 0,
            end_on_next_404: true,
            ended_on_404: false,
        }
    }

    /// Whether a 404 on a `next` page ends the listing (the default) instead of being an
    /// error. User.com's `/lists/` endpoint is known to link to pages that do not exist.
    /// A 404 on the first page is always an error.
    pub fn end_on_next_404(mut self, end: bool) -> Self {
        self.end_on_next_404 = end;
        self
    }

    /// Whether the listing ended on a 404 from a `next` link.
    pub fn ended_on_404(&self) -> bool {
        self.ended_on_404
    }

    /// The request for the next page, or `None` when the listing is complete.
    pub fn next_request(&self) -> Result<Option<Request<Vec<u8>>>, Error> {
        match &self.state {
            State::First => self.config.request(&self.endpoint).map(Some),
            State::Next(url) => self
                .config
                .request_for_url(self.endpoint.method(), url, None)
                .map(Some),
            State::Done => Ok(None),
        }
    }

    /// Reads the response to the last request: returns its page and moves on to the `next`
    /// link. An error leaves the position unchanged.
    pub fn process<B: AsRef<[u8]>>(
        &mut self,
        response: Response<B>,
    ) -> Result<Page<E::Item>, Error> {
        let current = match &self.state {
            State::First => self.config.url(&self.endpoint)?,
            State::Next(url) => url.clone(),
            State::Done => {
                return Err(Error::invalid_input(
                    "the paginator got a response after the last page",
                ));
            }
        };
        let following = matches!(self.state, State::Next(_));
        let page = match parse_response(&self.endpoint, response) {
            Err(Error::Api(api))
                if following && self.end_on_next_404 && api.status == StatusCode::NOT_FOUND =>
            {
                self.requested.insert(current.to_string());
                self.ended_on_404 = true;
                self.state = State::Done;
                return Ok(Page::new(None, None, None, Vec::new()));
            }
            other => other?,
        };
        let next = match page.next.as_deref() {
            None | Some("") => None,
            Some(link) => {
                let url = reroot(self.config.base_url(), &current, link)?;
                if url == current || self.requested.contains(url.as_str()) {
                    return Err(Error::Pagination(PaginationError::Loop {
                        url: url.to_string(),
                    }));
                }
                Some(url)
            }
        };
        self.requested.insert(current.to_string());
        self.pages += 1;
        self.state = next.map_or(State::Done, State::Next);
        Ok(page)
    }

    /// Whether the last page has been processed.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// How many pages have been processed.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The operation being listed.
    pub fn endpoint(&self) -> &E {
        &self.endpoint
    }
}

/// Re-roots a `next` link on the configured API root.
///
/// `link` may be absolute or relative to `current`. What lies below the configured root, or
/// below `/api/public/` on any host, is kept; anything else is refused.
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
    let mut url = base.clone();
    url.set_path(&format!("{}{rest}", base.path()));
    url.set_query(absolute.query());
    if !url.path().starts_with(base.path()) {
        return Err(foreign());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

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
                "http://127.0.0.1:9000/usercom/api/public/lists?cursor=101",
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

    fn page(next: Option<&str>) -> Response<String> {
        Response::new(serde_json::json!({"next": next, "results": []}).to_string())
    }

    fn not_found() -> Response<String> {
        let mut response = Response::new(r#"{"detail": "Not found."}"#.to_owned());
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    }

    #[test]
    fn a_404_on_a_next_page_ends_the_listing_unless_switched_off() {
        let config = Config::for_base_url("http://127.0.0.1:1/", "key").unwrap();
        let list = crate::conversations::ListConversations::all();
        let next = Some("http://127.0.0.1:1/api/public/conversations/?cursor=101");

        let mut pages = Paginator::new(config.clone(), list.clone());
        pages.process(page(next)).unwrap();
        assert!(pages.process(not_found()).unwrap().results.is_empty());
        assert!(pages.is_done() && pages.ended_on_404());

        let mut strict = Paginator::new(config.clone(), list.clone()).end_on_next_404(false);
        strict.process(page(next)).unwrap();
        assert_eq!(
            strict.process(not_found()).unwrap_err().status(),
            Some(StatusCode::NOT_FOUND)
        );
        assert!(!strict.is_done());

        let mut first = Paginator::new(config, list);
        assert_eq!(
            first.process(not_found()).unwrap_err().status(),
            Some(StatusCode::NOT_FOUND)
        );
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
