//! Exercise `pinger`: the UDP pinger of the Kurose and Ross textbook's
//! lab. Send ten pings over UDP to HOST PORT (the two arguments, as the
//! lecture's client takes them; 12000 when not given). Ping number `n` is
//! the text `Ping n time`, where `time` is when you send it. Wait at most
//! one second for each reply: print the reply and its round-trip time
//! (RTT), or `Request timed out`. At the end, print the lowest, average
//! and highest RTT and the share of pings lost.
//!
//! Check it: `cargo lab check pinger` (it runs this program against a
//! server that loses some pings, different ones on every run). The page:
//! docs/en/exercises/pinger.md. Start from the lecture's UDP client
//! (`udp-client/examples/udp_client.rs`): one ping is one of its
//! exchanges.

fn main() {
    // 1. Read HOST and PORT from the arguments.
    // 2. Create a UDP socket, and give it a read timeout of one second.
    // 3. For n in 1..=10: note the time, send `Ping n time`, and wait for
    //    the reply: print it with its RTT, or `Request timed out` when the
    //    timeout runs out (UDP never says that a datagram was lost).
    // 4. Print the lowest, average and highest RTT, and the share lost;
    //    mind the run where every ping is lost.
    todo!("write the pinger");
}
