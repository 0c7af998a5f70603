//! A solution of the `pinger` exercise (the textbook's UDP pinger lab),
//! std only, as the lecture listings: ten pings over UDP, one second for
//! each reply, then the lowest, average and highest round-trip time and
//! the share lost. `cargo run -p lab --example pinger -- HOST PORT`,
//! against `cargo run -p udp-server -- --drop-rate 0.3`.
use std::env::args;
use std::io::ErrorKind;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The server, as the lecture's client takes it: HOST PORT
    let server_name = args().nth(1).unwrap_or("localhost".into());
    let server_port: u16 = args().nth(2).unwrap_or("12000".into()).parse()?;
    let server = (server_name.as_str(), server_port)
        .to_socket_addrs()?
        .find(SocketAddr::is_ipv4)
        .ok_or("no IPv4 address")?;
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    // UDP never reports a lost datagram: the only sign of a loss is a
    // reply that does not come, so each wait is bounded to one second.
    socket.set_read_timeout(Some(Duration::from_secs(1)))?;

    let mut rtts = Vec::new();
    let mut buffer = [0; 2048];
    for sequence in 1..=10 {
        let time = SystemTime::now().duration_since(UNIX_EPOCH)?;
        let message = format!("Ping {sequence} {:.6}", time.as_secs_f64());
        let sent = Instant::now();
        socket.send_to(message.as_bytes(), server)?;
        match socket.recv_from(&mut buffer) {
            Ok((length, _)) => {
                let rtt = sent.elapsed();
                let reply = String::from_utf8_lossy(&buffer[..length]);
                println!("{reply}  RTT {:.3} ms", rtt.as_secs_f64() * 1e3);
                rtts.push(rtt);
            }
            // The timeout ran out (Linux says WouldBlock, others
            // TimedOut): this ping, or its reply, was lost.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) =>
            {
                println!("Request timed out");
            }
            Err(e) => return Err(e.into()),
        }
    }

    let lost = 10 - rtts.len();
    println!(
        "10 pings sent, {} received, {}% lost",
        rtts.len(),
        lost * 10
    );
    // With every ping lost there is no RTT to summarise.
    if let (Some(min), Some(max)) = (rtts.iter().min(), rtts.iter().max()) {
        let total: Duration = rtts.iter().sum();
        let average = total / rtts.len() as u32;
        let ms = |d: &Duration| d.as_secs_f64() * 1e3;
        println!(
            "RTT min {:.3} ms, avg {:.3} ms, max {:.3} ms",
            ms(min),
            ms(&average),
            ms(max)
        );
    }
    Ok(())
}
