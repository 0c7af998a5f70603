use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::{DEFAULT_PORT, Error};

/// Where a client sends: the listing's `serverName` and `serverPort`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientAddress {
    /// Host name or IP address of the server (::1 for IPv6)
    #[arg(long, default_value = "localhost")]
    pub host: String,

    /// Port the server listens on
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

/// Where a server listens: the listing's `('', serverPort)`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerAddress {
    /// Address to bind; 0.0.0.0 is every IPv4 address of this machine, as
    /// Python's '' (:: for every IPv6 address)
    #[arg(long, default_value = "0.0.0.0")]
    pub host: String,

    /// Port to bind; 0 lets the system pick a free one (the log shows it)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
}

impl ClientAddress {
    /// Looks up the server's addresses, IPv4 first.
    ///
    /// The Python clients make `AF_INET` sockets, so `localhost` means
    /// 127.0.0.1 for them even where the system lists `::1` first. Putting
    /// IPv4 first keeps that, and IPv6 still works by name or as `::1`.
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, Error> {
        resolve(&self.host, self.port)
    }

    /// The one address a UDP client sends to: the first, IPv4 first.
    pub fn first_address(&self) -> Result<SocketAddr, Error> {
        first(resolve(&self.host, self.port)?, &self.host)
    }
}

impl ServerAddress {
    /// The address to bind: the first the host name gives, IPv4 first.
    pub fn resolve(&self) -> Result<SocketAddr, Error> {
        first(resolve(&self.host, self.port)?, &self.host)
    }
}

fn first(addresses: Vec<SocketAddr>, host: &str) -> Result<SocketAddr, Error> {
    addresses
        .first()
        .copied()
        .ok_or_else(|| Error::new(format!("host {host:?} has no address")))
}

fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let mut addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(format!(
                "cannot resolve host {host:?}: {e} \
                 (check the spelling, or give an IP address)"
            ))
        })?
        .collect();
    // A stable sort: IPv4 addresses first, each family in the system's order.
    addresses.sort_by_key(SocketAddr::is_ipv6);
    Ok(addresses)
}

/// Parses a number of seconds such as `3` or `0.5` for a timeout.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "{text} is out of range: give more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses a receive buffer size: at least 1 byte, at most one datagram.
pub fn parse_buffer_size(text: &str) -> Result<usize, String> {
    let size: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of bytes"))?;
    if !(1..=crate::MAX_DATAGRAM).contains(&size) {
        return Err(format!(
            "{size} is out of range: give 1 to {} bytes",
            crate::MAX_DATAGRAM
        ));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_comes_first() {
        let address = ClientAddress {
            host: "localhost".into(),
            port: 7,
        };
        let addresses = address.resolve().unwrap();
        let first_v6 = addresses.iter().position(SocketAddr::is_ipv6);
        let last_v4 = addresses.iter().rposition(SocketAddr::is_ipv4);
        if let (Some(v6), Some(v4)) = (first_v6, last_v4) {
            assert!(v4 < v6, "{addresses:?}");
        }
        assert!(addresses.iter().all(|a| a.port() == 7));
    }

    #[test]
    fn ip_literals_need_no_lookup() {
        let server = ServerAddress {
            host: "::".into(),
            port: 0,
        };
        assert_eq!(server.resolve().unwrap().to_string(), "[::]:0");
        let server = ServerAddress {
            host: "0.0.0.0".into(),
            port: 12000,
        };
        assert_eq!(server.resolve().unwrap().to_string(), "0.0.0.0:12000");
    }

    #[test]
    fn unknown_host_is_one_clear_line() {
        let address = ClientAddress {
            host: "no-such-host.invalid".into(),
            port: 12000,
        };
        let message = format!("{:?}", address.resolve().unwrap_err());
        assert!(
            message.starts_with("cannot resolve host \"no-such-host.invalid\""),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_seconds("0.25"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "NaN", "inf", "1e9", "three", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn buffer_sizes() {
        assert_eq!(parse_buffer_size("2048"), Ok(2048));
        assert_eq!(parse_buffer_size("1"), Ok(1));
        assert_eq!(parse_buffer_size("65527"), Ok(65527));
        for bad in ["0", "65528", "-1", "big"] {
            assert!(parse_buffer_size(bad).is_err(), "{bad}");
        }
    }
}
