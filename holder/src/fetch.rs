//! Where a published tree is read from: a directory, or a plain `http://` server (an issuer's
//! static file server or a CDN in front of it).
//!
//! The HTTP client is deliberately small: `GET` over HTTP/1.1 with `Connection: close`, a
//! `Content-Length` or chunked body, a size limit per file and a timeout per read, no
//! redirects. Integrity does not depend on the transport: every file is checked against the
//! anchored root ([`crate::sync`]); what the server learns is which files are asked for.

use crate::error::{HolderError, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

/// How long one read or write on the connection may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Room for the status line and headers of a response.
const HEADER_LIMIT: usize = 64 * 1024;

/// A published tree's location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A directory on this machine.
    Dir(PathBuf),
    /// An `http://host:port/base/` URL.
    Http {
        /// Host name or address.
        host: String,
        /// TCP port.
        port: u16,
        /// The path prefix, ending in `/`.
        base: String,
    },
}

impl Source {
    /// `http://host[:port][/base]` or a directory path.
    pub fn parse(s: &str) -> Result<Self> {
        if let Some(rest) = s.strip_prefix("http://") {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (
                    h,
                    p.parse::<u16>()
                        .map_err(|_| bad_url(s, "the port is not a number"))?,
                ),
                None => (authority, 80),
            };
            if host.is_empty()
                || !host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-[]:".contains(&b))
            {
                return Err(bad_url(s, "no valid host"));
            }
            let mut base = format!("/{path}");
            if !base.ends_with('/') {
                base.push('/');
            }
            return Ok(Source::Http {
                host: host.into(),
                port,
                base,
            });
        }
        if s.contains("://") {
            return Err(bad_url(
                s,
                "only http:// URLs and directories are supported",
            ));
        }
        Ok(Source::Dir(PathBuf::from(s)))
    }

    /// The source as it was given.
    pub fn describe(&self) -> String {
        match self {
            Source::Dir(d) => d.display().to_string(),
            Source::Http { host, port, base } => format!("http://{host}:{port}{base}"),
        }
    }

    /// The file `name` (relative, like `top/<hex>.bin`), at most `limit` bytes.
    pub fn get(&self, name: &str, limit: usize) -> Result<Vec<u8>> {
        if name.starts_with('/') || name.split('/').any(|p| p.is_empty() || p == "..") {
            return Err(HolderError::Sync(format!(
                "refusing the file name {name:?}"
            )));
        }
        match self {
            Source::Dir(dir) => {
                let path = dir.join(name);
                let mut bytes = Vec::new();
                std::fs::File::open(&path)
                    .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut bytes))
                    .map_err(HolderError::io(&path))?;
                if bytes.len() > limit {
                    return Err(HolderError::Sync(format!(
                        "{} is larger than {limit} bytes",
                        path.display()
                    )));
                }
                Ok(bytes)
            }
            Source::Http { host, port, base } => {
                let url = format!("http://{host}:{port}{base}{name}");
                http_get(host, *port, &format!("{base}{name}"), limit)
                    .map_err(|reason| HolderError::Fetch { url, reason })
            }
        }
    }
}

/// The largest request document fetched, in bytes.
pub const REQUEST_LIMIT: usize = 64 * 1024;

/// The request document behind `uri`: `http://host[:port]/path` (a service's
/// `GET /v1/requests/{id}`), or `zkcred://request?url=<percent-encoded http:// URL>` (what a
/// platform's link or QR code carries). The document is checked by the caller like a file.
pub fn fetch_request(uri: &str) -> Result<String> {
    let url = match uri.strip_prefix("zkcred://request?") {
        Some(query) => {
            let encoded = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("url="))
                .ok_or_else(|| bad_url(uri, "a zkcred://request link needs a url= parameter"))?;
            percent_decode(encoded)
                .ok_or_else(|| bad_url(uri, "the url= parameter is not valid percent-encoding"))?
        }
        None => uri.to_string(),
    };
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(bad_url(&url, "only http:// request URLs are supported"));
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Source::Http { host, port, .. } = Source::parse(&format!("http://{authority}/"))? else {
        return Err(bad_url(&url, "no valid host"));
    };
    let path = format!("/{path}");
    if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(bad_url(&url, "the path has spaces or control characters"));
    }
    let body =
        http_get(&host, port, &path, REQUEST_LIMIT).map_err(|reason| HolderError::Fetch {
            url: url.chars().take(200).collect(),
            reason,
        })?;
    String::from_utf8(body).map_err(|_| bad_url(&url, "the request document is not UTF-8"))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn bad_url(s: &str, why: &str) -> HolderError {
    HolderError::Fetch {
        url: s.chars().take(200).collect(),
        reason: why.into(),
    }
}

/// One `GET`; the body of a 200 answer, or why not.
fn http_get(host: &str, port: u16, path: &str, limit: usize) -> Result<Vec<u8>, String> {
    let addr = (host.trim_start_matches('[').trim_end_matches(']'), port);
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: zkcred-holder\r\n\
         Accept: application/octet-stream, application/json\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .take((limit + HEADER_LIMIT) as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let end = find(&raw, b"\r\n\r\n").ok_or("no complete response header")?;
    let head =
        std::str::from_utf8(&raw[..end]).map_err(|_| "a response header that is not text")?;
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or("");
    let code = status.split(' ').nth(1).unwrap_or("");
    if !status.starts_with("HTTP/1.") || code != "200" {
        return Err(format!(
            "the server answered {:?}",
            status.chars().take(80).collect::<String>()
        ));
    }
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "content-length" {
            length = Some(v.parse::<usize>().map_err(|_| "a bad Content-Length")?);
        } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let body = &raw[end + 4..];
    let body = if chunked {
        dechunk(body, limit)?
    } else {
        match length {
            Some(n) if n > limit => return Err(format!("the file is larger than {limit} bytes")),
            Some(n) if body.len() < n => {
                return Err(format!(
                    "the answer ended after {} of {n} bytes",
                    body.len()
                ))
            }
            Some(n) => body[..n].to_vec(),
            None => body.to_vec(),
        }
    };
    if body.len() > limit {
        return Err(format!("the file is larger than {limit} bytes"));
    }
    Ok(body)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a chunked body.
fn dechunk(mut body: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = find(body, b"\r\n").ok_or("a truncated chunked body")?;
        let size_text = std::str::from_utf8(&body[..eol]).map_err(|_| "a bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| "a bad chunk size")?;
        body = &body[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if out.len() + size > limit {
            return Err(format!("the file is larger than {limit} bytes"));
        }
        if body.len() < size + 2 {
            return Err("a truncated chunked body".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse() {
        assert_eq!(
            Source::parse("http://127.0.0.1:8080/tree").unwrap(),
            Source::Http {
                host: "127.0.0.1".into(),
                port: 8080,
                base: "/tree/".into()
            }
        );
        assert_eq!(
            Source::parse("http://localhost").unwrap().describe(),
            "http://localhost:80/"
        );
        assert_eq!(Source::parse("tree").unwrap(), Source::Dir("tree".into()));
        assert_eq!(
            super::percent_decode("http%3A%2F%2F127.0.0.1%3A8080%2Fv1").as_deref(),
            Some("http://127.0.0.1:8080/v1")
        );
        assert!(super::percent_decode("%zz").is_none());
        for bad in [
            "zkcred://request?x=1",
            "zkcred://request?url=https%3A%2F%2Fx",
            "ftp://x/r",
        ] {
            assert!(super::fetch_request(bad).is_err(), "{bad}");
        }
        for bad in ["https://x/", "ftp://x", "http://:80/", "http://h:x/"] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
        let d = Source::parse("/tmp").unwrap();
        for bad in ["../etc/passwd", "/etc/passwd", "a//b", "a/../b"] {
            assert!(d.get(bad, 10).is_err(), "{bad}");
        }
    }

    #[test]
    fn chunked_bodies_decode_within_the_limit() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n", 10).unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 4).is_err());
        assert!(dechunk(b"5\r\nab", 10).is_err());
        assert!(dechunk(b"zz\r\n", 10).is_err());
    }
}
