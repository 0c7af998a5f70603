use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::{DEFAULT_PORT, Error};

/// Where a client sends: the listing's `serverName` and `serverPort`.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientAddress {
    /// Host name or IP address of the server (::1 for IPv6)
    #[arg(long, default_value = "localhost")]
    pub host: String,

    /// Port the server listens on
    #[arg(long, default_value_t = DEFAULT_PORT,
          value_parser = parse_server_port)]
    pub port: u16,
}

/// Where a server listens: the listing's `('', serverPort)`.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerAddress {
    /// Address to bind; 0.0.0.0 (or '', as in Python) is every IPv4
    /// address of this machine (:: for every IPv6 address)
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
        // A server's '' means "every address of mine"; a client has to
        // name the one machine it sends to.
        if self.host.is_empty() {
            return Err(Error::new(
                "no server host given (--host ''): give a name or an \
                 address, such as localhost or 127.0.0.1",
            ));
        }
        resolve(&self.host, self.port)
    }

    /// The one address a UDP client sends to: the first, IPv4 first.
    pub fn first_address(&self) -> Result<SocketAddr, Error> {
        first(self.resolve()?, &self.host)
    }
}

impl ServerAddress {
    /// The address to bind: the first the host name gives, IPv4 first.
    pub fn resolve(&self) -> Result<SocketAddr, Error> {
        // Python's bind(('', port)): the empty host is INADDR_ANY, every
        // IPv4 address of this machine.
        if self.host.is_empty() {
            return Ok(SocketAddr::from((Ipv4Addr::UNSPECIFIED, self.port)));
        }
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
    // Below a nanosecond the Duration is zero, which a socket refuses as a
    // timeout; below a millisecond the wait is over before most networks
    // could answer. Either is a mistake to report now, not a failure later.
    if seconds < 0.001 {
        return Err(format!(
            "{text} is too short: give at least 0.001 seconds (1 ms); \
             a shorter wait rounds to none"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Parses a client's --port: the port its server listens on, 1 to 65535.
/// Port 0 asks the system for any free port when binding; as a
/// destination it names no one.
pub fn parse_server_port(text: &str) -> Result<u16, String> {
    let port: u16 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a port: give 1 to 65535"))?;
    if port == 0 {
        return Err("port 0 is not a port a server can be reached on: give \
                    the server's port, 1 to 65535 (a server started with \
                    --port 0 logs the port it got)"
            .into());
    }
    Ok(port)
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
    fn seconds_that_round_to_no_wait_are_refused() {
        assert_eq!(parse_seconds("0.001"), Ok(Duration::from_millis(1)));
        for tiny in ["1e-10", "0.0009", "5e-324"] {
            let message = parse_seconds(tiny).unwrap_err();
            assert_eq!(
                message,
                format!(
                    "{tiny} is too short: give at least 0.001 seconds \
                     (1 ms); a shorter wait rounds to none"
                )
            );
        }
    }

    #[test]
    fn an_empty_server_host_is_every_ipv4_address_as_in_python() {
        let server = ServerAddress {
            host: String::new(),
            port: 12000,
        };
        assert_eq!(server.resolve().unwrap().to_string(), "0.0.0.0:12000");
    }

    #[test]
    fn an_empty_client_host_is_one_line_that_suggests_localhost() {
        let client = ClientAddress {
            host: String::new(),
            port: 12000,
        };
        let expected = "no server host given (--host ''): give a name or \
                        an address, such as localhost or 127.0.0.1";
        assert_eq!(format!("{:?}", client.resolve().unwrap_err()), expected);
        assert_eq!(
            format!("{:?}", client.first_address().unwrap_err()),
            expected
        );
    }

    #[test]
    fn a_client_refuses_port_0() {
        assert_eq!(parse_server_port("12000"), Ok(12000));
        assert_eq!(parse_server_port("1"), Ok(1));
        assert_eq!(parse_server_port("65535"), Ok(65535));
        assert_eq!(
            parse_server_port("0").unwrap_err(),
            "port 0 is not a port a server can be reached on: give the \
             server's port, 1 to 65535 (a server started with --port 0 \
             logs the port it got)"
        );
        for bad in ["65536", "-1", "x", ""] {
            assert!(parse_server_port(bad).is_err(), "{bad}");
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
