//! Recursive-descent parser of the Event Log XPath subset.
//!
//! Grammar (child and attribute axes only; comparisons are `operand op literal`):
//!
//! ```text
//! expr      := and ('or' and)*
//! and       := primary ('and' primary)*
//! primary   := '(' expr ')' | call [op literal] | path [op literal]
//! call      := 'band' '(' path ',' number ')' | 'timediff' '(' targ [',' targ] ')'
//!            | 'position' '(' ')'
//! path      := step ('/' step)*
//! step      := '@' name | 'text' '(' ')' | (name | '*') ('[' (number | expr) ']')*
//! literal   := string | number
//! ```
//!
//! Errors carry the column and the filter engine's detailed code: a bad character or an
//! unclosed string is PARSEERR (15019); a token where none of its kind may stand is
//! UNEXPECTEDTOKEN (15021); `//`, `..`, `|`, axes, variables and functions outside the subset
//! are UNSUPPORTEDOP (15020); a literal on the left of a comparison, or a path on its right, is
//! INVARG (15016); an empty or literal-only predicate is INVTEST (15017); a number that does
//! not fit 64 bits is OUT_OF_RANGE (15038).
//!
//! Bounded depth (ARCHITECTURE.md, invariant on untrusted input): the parser recurses once
//! per open `(` or `[`, and every later walk of the tree (validation, compilation, evaluation,
//! display, drop) once per level of the tree, whose height is at most the nesting plus the
//! number of `and`/`or` operators. Both are limited ([`MAX_XPATH_NESTING`],
//! [`MAX_XPATH_OPERATORS`]); over either the query fails with FILTER_TOO_COMPLEX (15026) at
//! the column of the bracket or operator that goes over, before any deeper call is made.

use super::ast::{CmpOp, Expr, ExprKind, Literal, Operand, Path, Predicate, Step, TimeArg};
use super::lexer::{tokenize, Tok, Token};
use super::syntax_error;
use super::value::{parse_number, Typed};
use crate::error::{codes::*, Result};
use crate::event::FileTime;

/// The most `(` and `[` open at once in one XPath. Windows' filter takes at most 20
/// expressions in a bare XPath and 32 in a Select (Windows' documented limits), so a meaningful
/// query nests far less than this; the limit keeps the recursion within a small thread stack.
pub const MAX_XPATH_NESTING: usize = 64;

/// The most `and` and `or` operators in one XPath: 20 or 32 expressions need at most 31.
pub const MAX_XPATH_OPERATORS: usize = 256;

/// Parses one XPath filter expression.
pub(crate) fn parse(text: &str) -> Result<Expr> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens,
        at: 0,
        nesting: 0,
        operators: 0,
    };
    if p.peek() == &Tok::End {
        return Err(syntax_error(
            ERROR_EVT_FILTER_UNEXPECTEDTOKEN,
            1,
            "the query is empty",
        ));
    }
    let expr = p.expr()?;
    let end = p.current();
    if end.tok != Tok::End {
        return Err(p.unexpected(&end, "an operator, or the end of the query"));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// `(` and `[` open now.
    nesting: usize,
    /// `and` and `or` read so far.
    operators: usize,
}

/// XPath 1.0 functions outside the subset: named in the error so the user knows why.
const XPATH_FUNCTIONS: &[&str] = &[
    "not",
    "last",
    "count",
    "contains",
    "starts-with",
    "string",
    "concat",
    "name",
    "local-name",
    "namespace-uri",
    "true",
    "false",
    "number",
    "sum",
    "floor",
    "ceiling",
    "round",
    "id",
    "lang",
    "boolean",
    "string-length",
    "normalize-space",
    "translate",
    "substring",
    "substring-before",
    "substring-after",
    "node",
    "comment",
    "processing-instruction",
];

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.at.min(self.tokens.len() - 1)].tok
    }

    fn peek_at(&self, offset: usize) -> &Tok {
        &self.tokens[(self.at + offset).min(self.tokens.len() - 1)].tok
    }

    fn current(&self) -> Token {
        self.tokens[self.at.min(self.tokens.len() - 1)].clone()
    }

    fn bump(&mut self) -> Token {
        super::work(1);
        let t = self.current();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        t
    }

    fn unexpected(&self, t: &Token, wanted: &str) -> crate::Error {
        if let Tok::Unsupported(what) = t.tok {
            return syntax_error(
                ERROR_EVT_FILTER_UNSUPPORTEDOP,
                t.column,
                format!("'{what}' is not supported by the event filter"),
            );
        }
        if t.tok == Tok::DoubleSlash {
            return syntax_error(
                ERROR_EVT_FILTER_UNSUPPORTEDOP,
                t.column,
                "'//' (the descendant axis) is not supported: only child and attribute steps",
            );
        }
        let found = match &t.tok {
            Tok::End => "the end of the query".to_owned(),
            Tok::Name(n) => format!("'{n}'"),
            Tok::Number(n) => format!("the number {n}"),
            Tok::Str(s) => format!("the string '{s}'"),
            other => format!("'{}'", token_text(other)),
        };
        syntax_error(
            ERROR_EVT_FILTER_UNEXPECTEDTOKEN,
            t.column,
            format!("expected {wanted}, found {found}"),
        )
    }

    fn expect(&mut self, tok: Tok, wanted: &str) -> Result<Token> {
        if *self.peek() == tok {
            Ok(self.bump())
        } else {
            let t = self.current();
            Err(self.unexpected(&t, wanted))
        }
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == word)
    }

    /// Enters a `(` or `[` (the current token), failing if that nests too deep.
    fn open(&mut self) -> Result<Token> {
        let t = self.bump();
        self.nesting += 1;
        if self.nesting > MAX_XPATH_NESTING {
            return Err(syntax_error(
                ERROR_EVT_FILTER_TOO_COMPLEX,
                t.column,
                format!("the query nests deeper than {MAX_XPATH_NESTING} brackets and parentheses"),
            ));
        }
        Ok(t)
    }

    /// Reads an `and` or `or` (the current token), failing if there are too many.
    fn operator(&mut self) -> Result<()> {
        let t = self.bump();
        self.operators += 1;
        if self.operators > MAX_XPATH_OPERATORS {
            return Err(syntax_error(
                ERROR_EVT_FILTER_TOO_COMPLEX,
                t.column,
                format!("the query has more than {MAX_XPATH_OPERATORS} 'and' and 'or' operators"),
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr> {
        self.or_chain().map(|e| *e)
    }

    // The recursive functions below pass boxed expressions: each level of nesting then adds
    // frames of a few pointers rather than of several whole `Expr`s.

    fn or_chain(&mut self) -> Result<Box<Expr>> {
        let mut left = self.and_chain()?;
        while self.is_keyword("or") {
            self.operator()?;
            let right = self.and_chain()?;
            let column = left.column;
            left = Box::new(Expr {
                kind: ExprKind::Or(left, right),
                column,
            });
        }
        Ok(left)
    }

    fn and_chain(&mut self) -> Result<Box<Expr>> {
        let mut left = self.primary()?;
        while self.is_keyword("and") {
            self.operator()?;
            let right = self.primary()?;
            let column = left.column;
            left = Box::new(Expr {
                kind: ExprKind::And(left, right),
                column,
            });
        }
        Ok(left)
    }

    /// A primary: a parenthesised expression, or an operand. The two are apart so that the
    /// frame each level of nesting adds stays small.
    fn primary(&mut self) -> Result<Box<Expr>> {
        if *self.peek() == Tok::LParen {
            self.parenthesised()
        } else {
            self.operand().map(Box::new)
        }
    }

    #[inline(never)]
    fn parenthesised(&mut self) -> Result<Box<Expr>> {
        let column = self.open()?.column;
        let mut inner = self.or_chain()?;
        self.expect(Tok::RParen, "')'")?;
        self.nesting -= 1;
        inner.column = column;
        if comparison_op(self.peek()).is_some() {
            return Err(self.parenthesised_comparison());
        }
        Ok(inner)
    }

    #[cold]
    fn parenthesised_comparison(&self) -> crate::Error {
        syntax_error(
            ERROR_EVT_FILTER_INVARG,
            self.current().column,
            "the left side of a comparison must be a path or a function, not a parenthesised expression",
        )
    }

    /// A path operand (the recursive case, kept in a small frame) or any other.
    fn operand(&mut self) -> Result<Expr> {
        let column = self.current().column;
        let is_path = match self.peek() {
            Tok::Name(name) => name == "text" || *self.peek_at(1) != Tok::LParen,
            Tok::Star | Tok::At => true,
            _ => false,
        };
        if is_path {
            let path = self.path()?;
            self.finish_operand(Operand::Path(path), column)
        } else {
            self.other_operand()
        }
    }

    /// An operand that is not a path: a call, or an error.
    #[inline(never)]
    fn other_operand(&mut self) -> Result<Expr> {
        let start = self.current();
        match &start.tok {
            Tok::Str(_) | Tok::Number(_) => {
                if comparison_op(self.peek_at(1)).is_some() {
                    return Err(syntax_error(
                        ERROR_EVT_FILTER_INVARG,
                        start.column,
                        "a literal must be on the right side of a comparison (path op literal)",
                    ));
                }
                Err(syntax_error(
                    ERROR_EVT_FILTER_INVTEST,
                    start.column,
                    "a literal alone is not a test: compare a path with it",
                ))
            }
            Tok::Slash => Err(syntax_error(
                ERROR_EVT_FILTER_UNSUPPORTEDOP,
                start.column,
                "absolute paths are not supported: start with * or Event",
            )),
            Tok::Name(name) if *self.peek_at(1) == Tok::LParen && name != "text" => {
                let name = name.clone();
                self.call(&name, start.column)
            }
            Tok::Name(_) | Tok::Star | Tok::At => {
                let path = self.path()?;
                self.finish_operand(Operand::Path(path), start.column)
            }
            _ => Err(self.unexpected(&start, "a path, a function or '('")),
        }
    }

    /// After an operand: a comparison with a literal, or (for a path) an existence test.
    fn finish_operand(&mut self, left: Operand, column: u32) -> Result<Expr> {
        let Some(op) = comparison_op(self.peek()) else {
            return match left {
                Operand::Path(path) => Ok(Expr {
                    kind: ExprKind::Exists(path),
                    column,
                }),
                other => Err(syntax_error(
                    ERROR_EVT_FILTER_INVTEST,
                    column,
                    format!("{other} is a number: compare it with a literal"),
                )),
            };
        };
        self.bump();
        let right = self.literal()?;
        Ok(Expr {
            kind: ExprKind::Compare { left, op, right },
            column,
        })
    }

    fn literal(&mut self) -> Result<Literal> {
        let t = self.current();
        match &t.tok {
            Tok::Str(s) => {
                self.bump();
                Ok(Literal {
                    value: Typed::infer(s),
                    text: s.clone(),
                    unquoted: false,
                })
            }
            Tok::Number(n) => {
                self.bump();
                let value = number_literal(n, t.column)?;
                Ok(Literal {
                    value,
                    text: n.clone(),
                    unquoted: true,
                })
            }
            Tok::Name(_) | Tok::Star | Tok::At => Err(syntax_error(
                ERROR_EVT_FILTER_INVARG,
                t.column,
                "the right side of a comparison must be a literal, not a path",
            )),
            _ => Err(self.unexpected(&t, "a literal (a quoted string or a number)")),
        }
    }

    fn call(&mut self, name: &str, column: u32) -> Result<Expr> {
        match name {
            "band" => {
                self.bump();
                self.bump();
                let (path, mask) = if matches!(self.peek(), Tok::Number(_)) {
                    let mask = self.mask()?;
                    self.expect(Tok::Comma, "','")?;
                    (self.path_arg()?, mask)
                } else {
                    let path = self.path_arg()?;
                    self.expect(Tok::Comma, "','")?;
                    (path, self.mask()?)
                };
                self.expect(Tok::RParen, "')'")?;
                if comparison_op(self.peek()).is_some() {
                    let t = self.current();
                    return Err(syntax_error(
                        ERROR_EVT_FILTER_INVTYPE,
                        t.column,
                        "band() is a test (true if any bit is shared), not a number to compare",
                    ));
                }
                Ok(Expr { kind: ExprKind::Band { path, mask }, column })
            }
            "timediff" => {
                self.bump();
                self.bump();
                let first = self.time_arg()?;
                let operand = if *self.peek() == Tok::Comma {
                    self.bump();
                    let second = self.time_arg()?;
                    if !matches!(first, TimeArg::Path(_)) && !matches!(second, TimeArg::Path(_)) {
                        return Err(syntax_error(
                            ERROR_EVT_FILTER_INVARG,
                            column,
                            "timediff() needs a path among its arguments",
                        ));
                    }
                    Operand::TimeDiff { from: first, to: second }
                } else {
                    if !matches!(first, TimeArg::Path(_)) {
                        return Err(syntax_error(ERROR_EVT_FILTER_INVARG, column, "timediff(t) needs a path to a time"));
                    }
                    Operand::TimeDiff { from: first, to: TimeArg::Now }
                };
                self.expect(Tok::RParen, "')'")?;
                self.finish_operand(operand, column)
            }
            "position" => {
                self.bump();
                self.bump();
                self.expect(Tok::RParen, "')' (position() takes no arguments)")?;
                self.finish_operand(Operand::Position, column)
            }
            other if XPATH_FUNCTIONS.contains(&other) => Err(syntax_error(
                ERROR_EVT_FILTER_UNSUPPORTEDOP,
                column,
                format!("the function {other}() is not supported: only band(), timediff() and position()"),
            )),
            other => Err(syntax_error(
                ERROR_EVT_FILTER_UNSUPPORTEDOP,
                column,
                format!("unknown function {other}(): only band(), timediff() and position()"),
            )),
        }
    }

    fn mask(&mut self) -> Result<u64> {
        let t = self.current();
        let Tok::Number(n) = &t.tok else {
            return Err(self.unexpected(&t, "a number (the mask)"));
        };
        self.bump();
        match number_literal(n, t.column)? {
            // A negative whole number is a number outside the bitfield's range.
            Typed::Int(v) => u64::try_from(v).map_err(|_| out_of_range(t.column, n)),
            _ => Err(syntax_error(
                ERROR_EVT_FILTER_INVTYPE,
                t.column,
                format!("band() takes a whole, non-negative 64-bit mask, not {n}"),
            )),
        }
    }

    fn path_arg(&mut self) -> Result<Path> {
        match self.peek() {
            Tok::Name(_) | Tok::Star | Tok::At => self.path(),
            _ => {
                let t = self.current();
                Err(self.unexpected(&t, "a path"))
            }
        }
    }

    fn time_arg(&mut self) -> Result<TimeArg> {
        let t = self.current();
        match &t.tok {
            Tok::Str(s) => {
                self.bump();
                FileTime::parse(s).map(TimeArg::Literal).ok_or_else(|| {
                    syntax_error(
                        ERROR_EVT_FILTER_INVTYPE,
                        t.column,
                        format!("'{s}' is not an ISO 8601 time"),
                    )
                })
            }
            Tok::Number(n) => {
                self.bump();
                match number_literal(n, t.column)? {
                    // A FILETIME is unsigned: a negative one is out of its range.
                    Typed::Int(v) => Ok(TimeArg::Literal(FileTime(
                        u64::try_from(v).map_err(|_| out_of_range(t.column, n))?,
                    ))),
                    _ => Err(syntax_error(
                        ERROR_EVT_FILTER_INVTYPE,
                        t.column,
                        format!("{n} is not a FILETIME"),
                    )),
                }
            }
            _ => self.path_arg().map(TimeArg::Path),
        }
    }

    fn path(&mut self) -> Result<Path> {
        let mut steps = Vec::new();
        loop {
            steps.push(self.step()?);
            match self.peek() {
                Tok::Slash => {
                    self.bump();
                }
                Tok::DoubleSlash => return Err(self.unexpected_here("")),
                _ => break,
            }
        }
        Ok(Path { steps })
    }

    #[cold]
    fn unexpected_here(&self, wanted: &str) -> crate::Error {
        self.unexpected(&self.current(), wanted)
    }

    /// A step: its head (`step_head`, whose frame is gone before the predicates are read,
    /// which is where the recursion is), then its predicates.
    fn step(&mut self) -> Result<Step> {
        let name = match self.step_head()? {
            Ok(step) => return Ok(step),
            Err(name) => name,
        };
        let mut predicates = Vec::new();
        while *self.peek() == Tok::LBracket {
            predicates.push(self.predicate()?);
        }
        Ok(Step::Element { name, predicates })
    }

    /// An attribute or `text()` step whole (`Ok`), or an element step's name (`Err`, `None`
    /// for `*`), consumed.
    #[inline(never)]
    fn step_head(&mut self) -> Result<std::result::Result<Step, Option<String>>> {
        let t = self.current();
        let name = match &t.tok {
            Tok::At => {
                self.bump();
                let n = self.current();
                return match &n.tok {
                    Tok::Name(name) => {
                        self.bump();
                        check_unprefixed(name, n.column)?;
                        Ok(Ok(Step::Attribute(name.clone())))
                    }
                    Tok::Star => Err(syntax_error(
                        ERROR_EVT_FILTER_UNSUPPORTEDOP,
                        n.column,
                        "'@*' is not supported: name the attribute",
                    )),
                    _ => Err(self.unexpected(&n, "an attribute name")),
                };
            }
            Tok::Star => None,
            Tok::Name(n) if n == "text" && *self.peek_at(1) == Tok::LParen => {
                self.bump();
                self.bump();
                self.expect(Tok::RParen, "')'")?;
                return Ok(Ok(Step::Text));
            }
            Tok::Name(n) => {
                if *self.peek_at(1) == Tok::Unsupported("::") {
                    return Err(syntax_error(
                        ERROR_EVT_FILTER_UNSUPPORTEDOP,
                        t.column,
                        format!("the axis {n}:: is not supported: only child and attribute steps"),
                    ));
                }
                check_unprefixed(n, t.column)?;
                Some(n.clone())
            }
            _ => return Err(self.unexpected(&t, "a name, '*' or '@'")),
        };
        self.bump();
        Ok(Err(name))
    }

    /// `[` number `]` or `[` expr `]`, the `[` current.
    #[inline(never)]
    fn predicate(&mut self) -> Result<Predicate> {
        let open = self.open()?;
        if *self.peek() == Tok::RBracket {
            return Err(syntax_error(
                ERROR_EVT_FILTER_INVTEST,
                open.column,
                "an empty predicate tests nothing",
            ));
        }
        let n = self.current();
        let predicate = match (&n.tok, self.peek_at(1)) {
            (Tok::Number(text), Tok::RBracket) => {
                self.bump();
                match number_literal(text, n.column)? {
                    Typed::Int(v) if v >= 1 => Predicate::Position(
                        u64::try_from(v).map_err(|_| out_of_range(n.column, text))?,
                    ),
                    _ => {
                        return Err(syntax_error(
                            ERROR_EVT_FILTER_INVTEST,
                            n.column,
                            format!("[{text}]: a position is a whole number from 1"),
                        ))
                    }
                }
            }
            _ => Predicate::Expr(*self.or_chain()?),
        };
        self.expect(Tok::RBracket, "']' or an operator")?;
        self.nesting -= 1;
        Ok(predicate)
    }
}

fn check_unprefixed(name: &str, column: u32) -> Result<()> {
    if name.contains(':') {
        return Err(syntax_error(
            ERROR_EVT_FILTER_UNSUPPORTEDOP,
            column,
            format!("'{name}': namespace prefixes are not supported (use * to step over a namespaced element)"),
        ));
    }
    Ok(())
}

fn comparison_op(t: &Tok) -> Option<CmpOp> {
    Some(match t {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

/// An unquoted number literal: it must read as a number that fits 64 bits.
fn number_literal(text: &str, column: u32) -> Result<Typed> {
    match parse_number(text) {
        Some(n) => Ok(n),
        None if text.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            || (text.starts_with("0x") || text.starts_with("0X"))
                && text[2..].bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Err(out_of_range(column, text))
        }
        None => Err(syntax_error(
            ERROR_EVT_FILTER_PARSEERR,
            column,
            format!("'{text}' is not a number"),
        )),
    }
}

fn out_of_range(column: u32, text: &str) -> crate::Error {
    syntax_error(
        ERROR_EVT_FILTER_OUT_OF_RANGE,
        column,
        format!("{text} is outside the range of a 64-bit number"),
    )
}

fn token_text(t: &Tok) -> &'static str {
    match t {
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::DoubleSlash => "//",
        Tok::At => "@",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Unsupported(s) => s,
        Tok::Name(_) | Tok::Number(_) | Tok::Str(_) | Tok::End => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(s: &str) -> String {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).to_string()
    }

    #[test]
    fn structure_of_documented_queries() {
        assert_eq!(round("*"), "*");
        assert_eq!(round("*[System/Level=1]"), "*[System/Level=1]");
        assert_eq!(
            round("*[System[(Level <= 3) and TimeCreated[timediff(@SystemTime) <= 86400000]]]"),
            "*[System[(Level<=3 and TimeCreated[timediff(@SystemTime)<=86400000])]]"
        );
        assert_eq!(round("Event/System[EventID=4]"), "Event/System[EventID=4]");
        assert_eq!(
            round("Event/System/EventID=10368"),
            "Event/System/EventID=10368"
        );
        assert_eq!(
            round("*[UserData/*/PrinterName=\"MyPrinter\" and System/Level=1]"),
            "*[(UserData/*/PrinterName='MyPrinter' and System/Level=1)]"
        );
        assert_eq!(
            round("*[System[band(Keywords, 0x10)]]"),
            "*[System[band(Keywords,16)]]"
        );
        assert_eq!(
            round("*[EventData/Data[2]='x']"),
            "*[EventData/Data[2]='x']"
        );
        assert_eq!(round("*[a or b and c]"), "*[(a or (b and c))]");
    }

    fn err(s: &str) -> (u32, u32) {
        let e = parse(s).expect_err(s);
        assert_eq!(e.win32_code(), 15001, "{s}");
        (e.filter_code().unwrap(), e.position().unwrap().1)
    }

    #[test]
    fn errors_name_code_and_column() {
        assert_eq!(err("*[System//EventID=1]"), (15020, 9));
        assert_eq!(err("*[1=EventID]"), (15016, 3));
        assert_eq!(err("*[EventID=Level]"), (15016, 11));
        assert_eq!(err("*[not(EventID=1)]"), (15020, 3));
        assert_eq!(err("*[EventID=1"), (15021, 12));
        assert_eq!(err("*[]"), (15017, 2));
        assert_eq!(err("/Event"), (15020, 1));
        assert_eq!(err("*[EventID=99999999999999999999999]"), (15038, 11));
        assert_eq!(err("*[ns:Data='x']"), (15020, 3));
        assert_eq!(err("*[EventID=='1']"), (15021, 11));
        assert_eq!(err(""), (15021, 1));
        assert_eq!(err("*[EventID=1] junk"), (15021, 14));
        assert_eq!(err("*[ancestor::x]"), (15020, 3));
        assert_eq!(err("*[band(Keywords,1)=1]"), (15018, 19));
        // Numbers outside a 64-bit unsigned range are OUT_OF_RANGE however they are written.
        assert_eq!(err("*[band(Keywords,0X10000000000000000)]"), (15038, 17));
        assert_eq!(err("*[band(Keywords,-1)]"), (15038, 17));
        assert_eq!(
            err("*[TimeCreated[timediff(@SystemTime,-5)>0]]"),
            (15038, 36)
        );
        assert_eq!(err("*[band(Keywords,1.5)]"), (15018, 17));
    }
}
