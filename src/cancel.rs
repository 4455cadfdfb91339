//! TEMPORARY stand-in for the cancellation tree (replaced by the real one before merge).
#![allow(dead_code)]
use crate::error::{Error, ErrorKind, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NodeKind {
    Scope,
    Call,
}

struct Node {
    kind: NodeKind,
    cancelled: AtomicBool,
    children: Mutex<Vec<Weak<Node>>>,
    waiters: Mutex<Vec<Arc<Parker>>>,
}

#[derive(Clone)]
pub(crate) struct CancelToken {
    node: Arc<Node>,
}

impl CancelToken {
    pub(crate) fn root() -> CancelToken {
        CancelToken {
            node: Arc::new(Node {
                kind: NodeKind::Scope,
                cancelled: AtomicBool::new(false),
                children: Mutex::new(Vec::new()),
                waiters: Mutex::new(Vec::new()),
            }),
        }
    }
    pub(crate) fn child(&self, kind: NodeKind) -> CancelToken {
        let c = Arc::new(Node {
            kind,
            cancelled: AtomicBool::new(self.is_cancelled()),
            children: Mutex::new(Vec::new()),
            waiters: Mutex::new(Vec::new()),
        });
        self.node.children.lock().unwrap().push(Arc::downgrade(&c));
        CancelToken { node: c }
    }
    pub(crate) fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Ordering::Acquire)
    }
    pub(crate) fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            Ok(())
        }
    }
    pub(crate) fn cancel(&self) {
        walk(&self.node, true)
    }
    pub(crate) fn cancel_calls(&self) {
        walk(&self.node, false)
    }
    pub(crate) fn register(&self, p: &Arc<Parker>) -> Result<Registration> {
        let mut w = self.node.waiters.lock().unwrap();
        if self.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled));
        }
        w.push(p.clone());
        Ok(Registration)
    }
}
fn walk(n: &Arc<Node>, all: bool) {
    if all || n.kind == NodeKind::Call {
        n.cancelled.store(true, Ordering::Release);
        for p in n.waiters.lock().unwrap().drain(..) {
            p.unpark();
        }
    }
    let kids: Vec<Arc<Node>> = n
        .children
        .lock()
        .unwrap()
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for k in kids {
        walk(&k, all)
    }
}
pub(crate) struct Registration;
pub(crate) struct Parker {
    m: Mutex<bool>,
    cv: Condvar,
}
impl Parker {
    pub(crate) fn new() -> Arc<Parker> {
        Arc::new(Parker {
            m: Mutex::new(false),
            cv: Condvar::new(),
        })
    }
    pub(crate) fn unpark(&self) {
        *self.m.lock().unwrap() = true;
        self.cv.notify_all();
    }
    pub(crate) fn park(&self) {
        let mut g = self.m.lock().unwrap();
        while !*g {
            g = self.cv.wait(g).unwrap();
        }
        *g = false;
    }
    pub(crate) fn park_timeout(&self, d: Duration) -> bool {
        let g = self.m.lock().unwrap();
        let (mut g, _) = self.cv.wait_timeout_while(g, d, |s| !*s).unwrap();
        let r = *g;
        *g = false;
        r
    }
}
