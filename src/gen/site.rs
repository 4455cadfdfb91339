//! The simulated site a [`Generator`](super::Generator) writes about: one Active Directory
//! domain with its SID, people with accounts, a fleet of hosts (one primary), domain
//! controllers, and the current boot of the primary host (process ids, boot time, the
//! Security log's ActivityID).
//!
//! Invariants:
//! - A site is a pure function of the seed's first draws: built once in `Generator::new`.
//! - Process and thread ids are multiples of 4, as Windows assigns them.
//! - `hosts` is never empty and `primary < hosts.len()`; `users` is never empty.

use super::pools::{self, sid};
use super::rng::Rng;
use crate::event::{FileTime, Guid, Sid};

/// An account of a person in the domain.
#[derive(Clone, Debug)]
pub(crate) struct User {
    /// sAMAccountName.
    pub name: &'static str,
    pub display: &'static str,
    pub sid: Sid,
    /// True for accounts in the Domain Admins group (they get 4672 on logon).
    pub admin: bool,
}

/// A machine.
#[derive(Clone, Debug)]
pub(crate) struct Host {
    /// NetBIOS name, uppercase (may be non-ASCII).
    pub name: &'static str,
    /// The `Computer` element: NetBIOS name plus the DNS domain.
    pub fqdn: String,
    /// An IPv4 address in the site's range.
    pub ip: String,
    /// The machine id Sysmon puts in the first part of its process GUIDs.
    pub sysmon_id: u32,
}

impl Host {
    /// The machine account name, `NAME$`.
    pub(crate) fn account(&self) -> String {
        format!("{}$", self.name)
    }
}

/// The current boot of the primary host.
#[derive(Clone, Debug)]
pub(crate) struct Boot {
    pub time: FileTime,
    pub lsass_pid: u32,
    pub services_pid: u32,
    pub winlogon_pid: u32,
    /// The svchost hosting the EventLog service.
    pub eventlog_pid: u32,
    /// The svchost hosting W32Time, the update client and others.
    pub netsvcs_pid: u32,
    pub sysmon_pid: u32,
    pub trusted_installer_pid: u32,
    /// The ActivityID lsass stamps on logon events during this boot.
    pub security_activity: Guid,
}

impl Boot {
    /// A fresh boot at `time`.
    pub(crate) fn new(rng: &mut Rng, time: FileTime) -> Boot {
        let mut pid = |lo: u32, hi: u32| rng.range_u32(lo / 4, hi / 4) * 4;
        let lsass_pid = pid(600, 1000);
        let services_pid = pid(560, 900);
        let winlogon_pid = pid(480, 700);
        let eventlog_pid = pid(1200, 1700);
        let netsvcs_pid = pid(1000, 2600);
        let sysmon_pid = pid(2600, 4200);
        let trusted_installer_pid = pid(4000, 12000);
        Boot {
            time,
            lsass_pid,
            services_pid,
            winlogon_pid,
            eventlog_pid,
            netsvcs_pid,
            sysmon_pid,
            trusted_installer_pid,
            security_activity: rng.guid(),
        }
    }
}

/// A thread id: a multiple of 4 in a typical range.
pub(crate) fn thread_id(rng: &mut Rng) -> u32 {
    rng.range_u32(20, 4000) * 4
}

/// The domain, its people and machines.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    /// NetBIOS domain name (uppercase).
    pub netbios: &'static str,
    /// DNS domain name.
    pub dns: &'static str,
    /// The three random sub-authorities of the domain SID (`S-1-5-21-a-b-c`).
    pub domain_sid: [u32; 3],
    pub users: Vec<User>,
    pub hosts: Vec<Host>,
    pub primary: usize,
    pub dc: Host,
    /// The first three octets of the site's IPv4 range.
    pub net: (u8, u8),
}

impl Site {
    /// Draws a site from `rng`.
    pub(crate) fn new(rng: &mut Rng) -> Site {
        let (netbios, dns) = rng.pick(pools::DOMAINS);
        let domain_sid = [
            rng.range_u32(1_000_000_000, 4_000_000_000),
            rng.range_u32(1_000_000_000, 4_000_000_000),
            rng.range_u32(1_000_000_000, 4_000_000_000),
        ];
        let net = (10, rng.range(0, 250) as u8);
        let mut users = Vec::with_capacity(pools::PEOPLE.len());
        let mut rid = rng.range_u32(1100, 1400);
        for (i, &(name, display)) in pools::PEOPLE.iter().enumerate() {
            rid += rng.range_u32(1, 40);
            let sid = sid(5, &[21, domain_sid[0], domain_sid[1], domain_sid[2], rid]);
            let admin = name.starts_with("admin") || name == "helpdesk" || i == 0;
            users.push(User {
                name,
                display,
                sid,
                admin,
            });
        }
        let host = |rng: &mut Rng, name: &'static str| Host {
            name,
            fqdn: format!("{name}.{dns}"),
            ip: format!(
                "{}.{}.{}.{}",
                net.0,
                net.1,
                rng.range(0, 7),
                rng.range(10, 250)
            ),
            sysmon_id: rng.next_u32(),
        };
        let hosts: Vec<Host> = pools::HOSTS.iter().map(|&n| host(rng, n)).collect();
        // The first six are ordinary ASCII workstations and servers.
        let primary = rng.index(6);
        let dc_name = rng.pick(pools::DCS);
        let dc = host(rng, dc_name);
        Site {
            netbios,
            dns,
            domain_sid,
            users,
            hosts,
            primary,
            dc,
            net,
        }
    }

    /// The SID of a domain account with `rid`.
    pub(crate) fn domain_rid_sid(&self, rid: u32) -> Sid {
        let d = self.domain_sid;
        sid(5, &[21, d[0], d[1], d[2], rid])
    }

    /// The host the event comes from: the primary one most of the time.
    pub(crate) fn pick_host(&self, rng: &mut Rng) -> usize {
        if rng.chance(17, 20) {
            self.primary
        } else {
            rng.index(self.hosts.len())
        }
    }

    /// A random internal client address.
    pub(crate) fn client_ip(&self, rng: &mut Rng) -> String {
        format!(
            "{}.{}.{}.{}",
            self.net.0,
            self.net.1,
            rng.range(0, 7),
            rng.range(10, 250)
        )
    }

    /// The `DNS` name in uppercase ASCII, as Kerberos realms are written.
    pub(crate) fn realm(&self) -> String {
        self.dns.to_ascii_uppercase()
    }
}
