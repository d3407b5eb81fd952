//! Bearer tokens: one random token per tenant and one for the operator, drawn from the
//! operating system's generator, and the lookup of a presented token, compared in constant
//! time against every token so that timing tells nothing about how much of one matched.

use mtosim_engine::{TenantIdx, World};
use subtle::ConstantTimeEq;

/// Random bytes per token (256 bits, written as 64 hexadecimal digits).
pub const TOKEN_BYTES: usize = 32;

/// Who a request's token names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The `Authorization` header is missing or is not `Bearer <token>`.
    Missing,
    /// A token this server did not issue.
    Unknown,
    /// The operator (the `/mtosim` endpoints).
    Operator,
    /// An admin of this tenant (Graph).
    Tenant(TenantIdx),
}

/// Every token of one server.
pub struct Tokens {
    /// The operator's token.
    pub operator: String,
    /// One token per tenant, by tenant index.
    pub tenants: Vec<String>,
}

/// `TOKEN_BYTES` random bytes in hexadecimal.
pub fn random_token() -> std::io::Result<String> {
    let mut b = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut b).map_err(|e| std::io::Error::other(format!("no random numbers: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A random request id, as a GUID.
pub fn random_guid() -> String {
    let mut b = [0u8; 16];
    // a request id only needs to be unlikely to repeat; the clock of a failing generator is
    // no secret either
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = t.to_le_bytes();
    }
    // version 4, variant 1: a random GUID as Graph's request ids are
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    mtosim_engine::Guid(u128::from_be_bytes(b)).to_string()
}

impl Tokens {
    /// Fresh tokens for the operator and every tenant of `world`.
    pub fn random(world: &World) -> std::io::Result<Tokens> {
        Ok(Tokens {
            operator: random_token()?,
            tenants: world
                .tenant_ids()
                .map(|_| random_token())
                .collect::<Result<_, _>>()?,
        })
    }

    /// Who the `Authorization` header value `header` names.
    pub fn caller(&self, header: Option<&[u8]>) -> Caller {
        let Some(h) = header else {
            return Caller::Missing;
        };
        let token = match h.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => h[7..].trim_ascii(),
            _ => return Caller::Missing,
        };
        if token.is_empty() {
            return Caller::Missing;
        }
        // every token is compared, whatever matched before
        let mut found = Caller::Unknown;
        if bool::from(self.operator.as_bytes().ct_eq(token)) {
            found = Caller::Operator;
        }
        for (i, t) in self.tenants.iter().enumerate() {
            if bool::from(t.as_bytes().ct_eq(token)) {
                found = Caller::Tenant(TenantIdx(i as u16));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_caller() {
        let t = Tokens {
            operator: random_token().unwrap(),
            tenants: vec![random_token().unwrap(), random_token().unwrap()],
        };
        assert_eq!(t.operator.len(), 2 * TOKEN_BYTES);
        assert_ne!(t.tenants[0], t.tenants[1]);
        let h = |s: &str| format!("Bearer {s}").into_bytes();
        assert_eq!(t.caller(Some(&h(&t.tenants[1]))), Caller::Tenant(TenantIdx(1)));
        assert_eq!(t.caller(Some(&h(&t.operator))), Caller::Operator);
        assert_eq!(t.caller(Some(&h("nope"))), Caller::Unknown);
        assert_eq!(t.caller(Some(b"Basic abc")), Caller::Missing);
        assert_eq!(t.caller(Some(b"Bearer ")), Caller::Missing);
        assert_eq!(t.caller(Some(b"bearer")), Caller::Missing);
        assert_eq!(t.caller(None), Caller::Missing);
        let lower = format!("bearer {}", t.tenants[0]);
        assert_eq!(t.caller(Some(lower.as_bytes())), Caller::Tenant(TenantIdx(0)));
    }
}
