//! Text helpers: the page's NormalizeDiacritics table, invariant casing and PCase, the
//! encodings, and the random Guid and RandomString.

/// Digits RandomString draws from.
const DIGITS: &str = "0123456789";
/// Capital letters RandomString draws from.
const CAPITALS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Lower-case letters RandomString draws from.
const LOWERS: &str = "abcdefghijklmnopqrstuvwxyz";
/// Special characters RandomString draws from: those of Windows' "Password must meet
/// complexity requirements" reference, which the page links.
pub(crate) const SPECIAL_CHARACTERS: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";
/// Subtags of a culture name, at most.
const CULTURE_SUBTAGS_MAX: usize = 4;

/// The distinct characters of `s`, sorted (for membership by binary search).
pub(crate) fn char_set(s: &str) -> Vec<char> {
    let mut v: Vec<char> = s.chars().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// One character in lower case, invariantly (a character whose lower case is longer keeps
/// the first one, as `İ` gives `i`).
pub(crate) fn lower_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// One character in upper case, invariantly; a character whose upper case is longer (`ß`)
/// is kept, as .NET's char-by-char casing keeps it.
pub(crate) fn upper_char(c: char) -> char {
    let mut u = c.to_uppercase();
    match (u.next(), u.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// Title case of one character: upper case, except the four Latin digraphs that have a
/// title-case form.
fn title_char(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        c => upper_char(c),
    }
}

pub(crate) fn to_lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

pub(crate) fn to_upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

/// Case folding for vbTextCompare: one character for one, so positions are kept.
pub(crate) fn fold_case(s: &str) -> String {
    to_lower(s)
}

/// Combining marks (general categories Mn, Mc, Me) that are not alphabetic, by block.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8
        | 0x06EA..=0x06ED | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF
        | 0x20D0..=0x20FF | 0x302A..=0x302F | 0x3099..=0x309A | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F
        | 0xE0100..=0xE01EF)
}

fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// Whether .NET ToTitleCase ends a word at `c`: space, control, format, punctuation and
/// symbol characters do; letters, marks, numbers and private use don't. Without a category
/// table this is "not alphanumeric, not a mark, not private use".
fn is_word_separator(c: char) -> bool {
    !(c.is_alphanumeric() || is_mark(c) || is_private_use(c))
}

/// PCase: lower case, then the first letter of each word in upper case. Words are separated
/// by the given characters, or as .NET's ToTitleCase separates them (a word starts at a
/// letter; an apostrophe inside a word does not end it).
pub(crate) fn pcase(s: &str, separators: Option<&str>) -> String {
    let lower = to_lower(s);
    let mut out = String::with_capacity(lower.len());
    match separators {
        Some(seps) => {
            let set = char_set(seps);
            let mut at_start = true;
            for c in lower.chars() {
                if set.binary_search(&c).is_ok() {
                    out.push(c);
                    at_start = true;
                } else if at_start {
                    out.push(title_char(c));
                    at_start = false;
                } else {
                    out.push(c);
                }
            }
        }
        None => {
            let mut in_word = false;
            for c in lower.chars() {
                if !in_word {
                    if c.is_alphabetic() {
                        out.push(title_char(c));
                        in_word = true;
                    } else {
                        out.push(c);
                    }
                } else {
                    in_word = c.is_alphabetic() || c == '\'' || !is_word_separator(c);
                    out.push(c);
                }
            }
        }
    }
    out
}

/// NormalizeDiacritics: each sequence of the page's table, longest first, replaced by its
/// letters; everything else unchanged.
pub(crate) fn normalize_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let from = DIACRITICS.partition_point(|(p, _)| p.chars().next().is_some_and(|f| f < c));
        let hit = DIACRITICS[from..]
            .iter()
            .take_while(|(p, _)| p.starts_with(c))
            .find(|(p, _)| rest.starts_with(p));
        match hit {
            Some((p, r)) => {
                out.push_str(r);
                rest = &rest[p.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Base64 (standard alphabet, padded) of the UTF-16LE bytes of `s`: .NET's
/// Convert.ToBase64String(Encoding.Unicode.GetBytes(s)).
pub(crate) fn base64_utf16le(s: &str) -> String {
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(BASE64[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Upper-case hex of the UTF-8 bytes of `s`.
pub(crate) fn utf8_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// An RFC 4122 version 4 GUID, lower case, from 128 random bits.
pub(crate) fn guid(a: u64, b: u64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0F) | 0x40;
    bytes[8] = (bytes[8] & 0x3F) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)].to_ascii_lowercase()));
        out.push(char::from(HEX[usize::from(byte & 15)].to_ascii_lowercase()));
    }
    out
}

/// An index below `n` from one random draw (multiply-shift: no loop, negligible bias).
fn below(r: u64, n: usize) -> usize {
    ((u128::from(r) * n as u128) >> 64) as usize
}

/// RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital,
/// MinimumLowerCase, CharactersToAvoid): the minimums from their classes, the rest from all
/// four, shuffled.
pub(crate) fn random_string(
    n: [i64; 5],
    avoid: &str,
    rnd: &mut dyn FnMut() -> u64,
) -> Result<String, String> {
    let [len, mins @ ..] = n;
    if n.iter().any(|v| *v < 0) {
        return Err("Length and the minimums can't be negative".into());
    }
    let max = super::RANDOM_STRING_CHARS_MAX;
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > max {
        return Err(format!(
            "Length is at most {max} (the page: \"256 characters max.\"), not {len}"
        ));
    }
    let mins: Vec<usize> = mins
        .iter()
        .map(|m| usize::try_from(*m).unwrap_or(usize::MAX))
        .collect();
    let sum = mins
        .iter()
        .try_fold(0usize, |s, m| s.checked_add(*m))
        .unwrap_or(usize::MAX);
    if sum > len {
        return Err(format!(
            "Length {len} is less than the minimums together ({}); it must be at least MinimumNumbers + MinimumSpecialCharacters + MinimumCapital + MinimumLowerCase",
            if sum == usize::MAX { "more than that".to_string() } else { sum.to_string() }
        ));
    }
    let avoid = char_set(avoid);
    let pool = |chars: &str| -> Vec<char> {
        chars
            .chars()
            .filter(|c| avoid.binary_search(c).is_err())
            .collect()
    };
    let pools = [
        pool(DIGITS),
        pool(SPECIAL_CHARACTERS),
        pool(CAPITALS),
        pool(LOWERS),
    ];
    let names = [
        "digit",
        "special character",
        "capital letter",
        "lower-case letter",
    ];
    for ((m, p), name) in mins.iter().zip(&pools).zip(names) {
        if *m > 0 && p.is_empty() {
            return Err(format!(
                "CharactersToAvoid leaves no {name} for the minimum of {m}"
            ));
        }
    }
    let all: Vec<char> = pools.concat();
    if all.is_empty() && len > 0 {
        return Err("CharactersToAvoid leaves no characters to draw from".into());
    }
    let mut out: Vec<char> = Vec::with_capacity(len);
    for (m, p) in mins.iter().zip(&pools) {
        for _ in 0..*m {
            out.push(p[below(rnd(), p.len())]);
        }
    }
    while out.len() < len {
        out.push(all[below(rnd(), all.len())]);
    }
    for i in (1..out.len()).rev() {
        out.swap(i, below(rnd(), i + 1));
    }
    Ok(out.into_iter().collect())
}

/// Whether a culture argument looks like an RFC 4646 name (`en-US`, `ja-JP`, `zh-Hans-CN`).
pub(crate) fn check_culture(c: &str) -> Result<(), String> {
    let t = c.trim();
    let tags: Vec<&str> = t.split(['-', '_']).take(CULTURE_SUBTAGS_MAX + 1).collect();
    let first_ok = tags
        .first()
        .is_some_and(|f| (2..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok = tags
        .iter()
        .skip(1)
        .all(|s| (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if t.is_empty() || (first_ok && rest_ok && tags.len() <= CULTURE_SUBTAGS_MAX) {
        Ok(())
    } else {
        Err(format!(
            "the culture {} is not an RFC 4646 name such as en-US or ja-JP",
            super::eval::quote(c)
        ))
    }
}

/// The page's NormalizeDiacritics table, one entry per listed character or sequence
/// (261 entries), sorted by first code point and, within one, longest first.
pub(crate) const DIACRITICS: &[(&str, &str)] = &[
    ("\u{41}\u{331}", "A"),        // A̱
    ("\u{43}\u{304}", "C"),        // C̄
    ("\u{43}\u{331}", "C"),        // C̱
    ("\u{44}\u{304}", "D"),        // D̄
    ("\u{45}\u{30a}\u{304}", "E"), // E̊̄
    ("\u{45}\u{331}", "E"),        // E̱
    ("\u{47}\u{331}", "G"),        // G̱
    ("\u{49}\u{331}", "I"),        // I̱
    ("\u{4c}\u{304}", "L"),        // L̄
    ("\u{4e}\u{304}", "N"),        // N̄
    ("\u{4f}\u{331}", "O"),        // O̱
    ("\u{52}\u{304}", "R"),        // R̄
    ("\u{53}\u{304}", "S"),        // S̄
    ("\u{53}\u{331}", "S"),        // S̱
    ("\u{54}\u{304}", "T"),        // T̄
    ("\u{55}\u{307}\u{304}", "U"), // U̇̄
    ("\u{55}\u{331}", "U"),        // U̱
    ("\u{59}\u{331}", "Y"),        // Y̱
    ("\u{5a}\u{304}", "Z"),        // Z̄
    ("\u{61}\u{331}", "a"),        // a̱
    ("\u{63}\u{304}", "c"),        // c̄
    ("\u{63}\u{331}", "c"),        // c̱
    ("\u{64}\u{304}", "d"),        // d̄
    ("\u{65}\u{30a}\u{304}", "e"), // e̊̄
    ("\u{65}\u{331}", "e"),        // e̱
    ("\u{67}\u{331}", "g"),        // g̱
    ("\u{69}\u{331}", "i"),        // i̱
    ("\u{6c}\u{304}", "l"),        // l̄
    ("\u{6e}\u{304}", "n"),        // n̄
    ("\u{6f}\u{331}", "o"),        // o̱
    ("\u{72}\u{304}", "r"),        // r̄
    ("\u{73}\u{304}", "s"),        // s̄
    ("\u{73}\u{331}", "s"),        // s̱
    ("\u{74}\u{304}", "t"),        // t̄
    ("\u{75}\u{307}\u{304}", "u"), // u̇̄
    ("\u{75}\u{331}", "u"),        // u̱
    ("\u{79}\u{331}", "y"),        // y̱
    ("\u{7a}\u{304}", "z"),        // z̄
    ("\u{c0}", "A"),               // À
    ("\u{c1}", "A"),               // Á
    ("\u{c2}", "A"),               // Â
    ("\u{c3}", "A"),               // Ã
    ("\u{c4}", "A"),               // Ä
    ("\u{c5}\u{304}", "A"),        // Å̄
    ("\u{c5}", "A"),               // Å
    ("\u{c6}", "AE"),              // Æ
    ("\u{c7}", "C"),               // Ç
    ("\u{c8}", "E"),               // È
    ("\u{c9}", "E"),               // É
    ("\u{ca}\u{304}", "E"),        // Ê̄
    ("\u{ca}", "E"),               // Ê
    ("\u{cb}\u{304}", "E"),        // Ë̄
    ("\u{cb}", "E"),               // Ë
    ("\u{cc}", "I"),               // Ì
    ("\u{cd}", "I"),               // Í
    ("\u{ce}", "I"),               // Î
    ("\u{cf}", "I"),               // Ï
    ("\u{d1}", "N"),               // Ñ
    ("\u{d2}", "O"),               // Ò
    ("\u{d3}", "O"),               // Ó
    ("\u{d4}", "O"),               // Ô
    ("\u{d5}", "O"),               // Õ
    ("\u{d6}", "O"),               // Ö
    ("\u{d8}\u{304}", "OE"),       // Ø̄
    ("\u{d8}", "OE"),              // Ø
    ("\u{d9}", "U"),               // Ù
    ("\u{da}", "U"),               // Ú
    ("\u{db}", "U"),               // Û
    ("\u{dc}", "U"),               // Ü
    ("\u{dd}", "Y"),               // Ý
    ("\u{df}", "ss"),              // ß
    ("\u{e0}", "a"),               // à
    ("\u{e1}", "a"),               // á
    ("\u{e2}", "a"),               // â
    ("\u{e3}", "a"),               // ã
    ("\u{e4}", "a"),               // ä
    ("\u{e5}\u{304}", "a"),        // å̄
    ("\u{e5}", "a"),               // å
    ("\u{e6}", "ae"),              // æ
    ("\u{e7}", "c"),               // ç
    ("\u{e8}", "e"),               // è
    ("\u{e9}", "e"),               // é
    ("\u{ea}\u{304}", "e"),        // ê̄
    ("\u{ea}", "e"),               // ê
    ("\u{eb}\u{304}", "e"),        // ë̄
    ("\u{eb}", "e"),               // ë
    ("\u{ec}", "i"),               // ì
    ("\u{ed}", "i"),               // í
    ("\u{ee}", "i"),               // î
    ("\u{ef}", "i"),               // ï
    ("\u{f1}", "n"),               // ñ
    ("\u{f2}", "o"),               // ò
    ("\u{f3}", "o"),               // ó
    ("\u{f4}", "o"),               // ô
    ("\u{f5}", "o"),               // õ
    ("\u{f6}", "o"),               // ö
    ("\u{f8}\u{304}", "oe"),       // ø̄
    ("\u{f8}", "oe"),              // ø
    ("\u{f9}", "u"),               // ù
    ("\u{fa}", "u"),               // ú
    ("\u{fb}", "u"),               // û
    ("\u{fc}", "u"),               // ü
    ("\u{fd}", "y"),               // ý
    ("\u{ff}", "y"),               // ÿ
    ("\u{100}\u{300}", "A"),       // Ā̀
    ("\u{100}\u{301}", "A"),       // Ā́
    ("\u{100}\u{302}", "A"),       // Ā̂
    ("\u{100}\u{303}", "A"),       // Ā̃
    ("\u{100}\u{308}", "A"),       // Ā̈
    ("\u{100}", "A"),              // Ā
    ("\u{101}\u{300}", "a"),       // ā̀
    ("\u{101}\u{301}", "a"),       // ā́
    ("\u{101}\u{302}", "a"),       // ā̂
    ("\u{101}\u{303}", "a"),       // ā̃
    ("\u{101}\u{308}", "a"),       // ā̈
    ("\u{101}", "a"),              // ā
    ("\u{102}", "A"),              // Ă
    ("\u{103}", "a"),              // ă
    ("\u{104}", "A"),              // Ą
    ("\u{105}", "a"),              // ą
    ("\u{106}", "C"),              // Ć
    ("\u{107}", "c"),              // ć
    ("\u{10c}", "C"),              // Č
    ("\u{10d}", "c"),              // č
    ("\u{10e}", "D"),              // Ď
    ("\u{10f}", "d"),              // ď
    ("\u{112}\u{302}", "E"),       // Ē̂
    ("\u{112}\u{303}", "E"),       // Ē̃
    ("\u{112}", "E"),              // Ē
    ("\u{113}\u{302}", "e"),       // ē̂
    ("\u{113}\u{303}", "e"),       // ē̃
    ("\u{113}", "e"),              // ē
    ("\u{116}", "E"),              // Ė
    ("\u{117}", "e"),              // ė
    ("\u{118}", "E"),              // Ę
    ("\u{119}", "e"),              // ę
    ("\u{11a}", "E"),              // Ě
    ("\u{11b}", "e"),              // ě
    ("\u{11e}", "G"),              // Ğ
    ("\u{11f}", "g"),              // ğ
    ("\u{12a}\u{300}", "I"),       // Ī̀
    ("\u{12a}\u{301}", "I"),       // Ī́
    ("\u{12a}\u{302}", "I"),       // Ī̂
    ("\u{12a}\u{303}", "I"),       // Ī̃
    ("\u{12a}", "I"),              // Ī
    ("\u{12b}\u{300}", "i"),       // ī̀
    ("\u{12b}\u{301}", "i"),       // ī́
    ("\u{12b}\u{302}", "i"),       // ī̂
    ("\u{12b}\u{303}", "i"),       // ī̃
    ("\u{12b}", "i"),              // ī
    ("\u{130}", "I"),              // İ
    ("\u{131}", "i"),              // ı
    ("\u{13d}", "L"),              // Ľ
    ("\u{13e}", "l"),              // ľ
    ("\u{141}", "L"),              // Ł
    ("\u{142}", "l"),              // ł
    ("\u{143}", "N"),              // Ń
    ("\u{144}", "n"),              // ń
    ("\u{147}", "N"),              // Ň
    ("\u{148}", "n"),              // ň
    ("\u{14c}\u{302}", "O"),       // Ō̂
    ("\u{14c}\u{303}", "O"),       // Ō̃
    ("\u{14c}\u{308}", "O"),       // Ō̈
    ("\u{14c}", "O"),              // Ō
    ("\u{14d}\u{302}", "o"),       // ō̂
    ("\u{14d}\u{303}", "o"),       // ō̃
    ("\u{14d}\u{308}", "o"),       // ō̈
    ("\u{14d}", "o"),              // ō
    ("\u{150}", "O"),              // Ő
    ("\u{151}", "o"),              // ő
    ("\u{152}\u{304}", "OE"),      // Œ̄
    ("\u{153}\u{304}", "oe"),      // œ̄
    ("\u{158}", "R"),              // Ř
    ("\u{159}", "r"),              // ř
    ("\u{15a}", "S"),              // Ś
    ("\u{15b}", "s"),              // ś
    ("\u{15e}", "S"),              // Ş
    ("\u{15f}", "s"),              // ş
    ("\u{160}", "S"),              // Š
    ("\u{161}", "s"),              // š
    ("\u{164}", "T"),              // Ť
    ("\u{165}", "t"),              // ť
    ("\u{16a}\u{300}", "U"),       // Ū̀
    ("\u{16a}\u{301}", "U"),       // Ū́
    ("\u{16a}\u{302}", "U"),       // Ū̂
    ("\u{16a}\u{303}", "U"),       // Ū̃
    ("\u{16a}", "U"),              // Ū
    ("\u{16b}\u{300}", "u"),       // ū̀
    ("\u{16b}\u{301}", "u"),       // ū́
    ("\u{16b}\u{302}", "u"),       // ū̂
    ("\u{16b}\u{303}", "u"),       // ū̃
    ("\u{16b}", "u"),              // ū
    ("\u{16e}", "U"),              // Ů
    ("\u{16f}", "u"),              // ů
    ("\u{170}", "U"),              // Ű
    ("\u{171}", "u"),              // ű
    ("\u{178}", "Y"),              // Ÿ
    ("\u{179}", "Z"),              // Ź
    ("\u{17a}", "z"),              // ź
    ("\u{17b}", "Z"),              // Ż
    ("\u{17c}", "z"),              // ż
    ("\u{17d}", "Z"),              // Ž
    ("\u{17e}", "z"),              // ž
    ("\u{1d5}", "U"),              // Ǖ
    ("\u{1d6}", "u"),              // ǖ
    ("\u{1de}", "A"),              // Ǟ
    ("\u{1df}", "a"),              // ǟ
    ("\u{1e0}", "A"),              // Ǡ
    ("\u{1e1}", "a"),              // ǡ
    ("\u{1e2}", "AE"),             // Ǣ
    ("\u{1e3}", "ae"),             // ǣ
    ("\u{1ec}", "O"),              // Ǭ
    ("\u{1ed}", "o"),              // ǭ
    ("\u{218}", "S"),              // Ș
    ("\u{219}", "s"),              // ș
    ("\u{21a}", "T"),              // Ț
    ("\u{21b}", "t"),              // ț
    ("\u{22a}", "O"),              // Ȫ
    ("\u{22b}", "o"),              // ȫ
    ("\u{22c}", "O"),              // Ȭ
    ("\u{22d}", "o"),              // ȭ
    ("\u{230}", "O"),              // Ȱ
    ("\u{231}", "o"),              // ȱ
    ("\u{232}\u{300}", "Y"),       // Ȳ̀
    ("\u{232}\u{301}", "Y"),       // Ȳ́
    ("\u{232}\u{303}", "Y"),       // Ȳ̃
    ("\u{232}", "Y"),              // Ȳ
    ("\u{233}\u{300}", "y"),       // ȳ̀
    ("\u{233}\u{301}", "y"),       // ȳ́
    ("\u{233}\u{303}", "y"),       // ȳ̃
    ("\u{233}", "y"),              // ȳ
    ("\u{1e0e}", "D"),             // Ḏ
    ("\u{1e0f}", "d"),             // ḏ
    ("\u{1e14}", "E"),             // Ḕ
    ("\u{1e15}", "e"),             // ḕ
    ("\u{1e16}", "E"),             // Ḗ
    ("\u{1e17}", "e"),             // ḗ
    ("\u{1e20}", "G"),             // Ḡ
    ("\u{1e21}", "g"),             // ḡ
    ("\u{1e38}", "L"),             // Ḹ
    ("\u{1e39}", "l"),             // ḹ
    ("\u{1e3a}", "L"),             // Ḻ
    ("\u{1e3b}", "l"),             // ḻ
    ("\u{1e48}", "N"),             // Ṉ
    ("\u{1e49}", "n"),             // ṉ
    ("\u{1e50}", "O"),             // Ṑ
    ("\u{1e51}", "o"),             // ṑ
    ("\u{1e52}", "O"),             // Ṓ
    ("\u{1e53}", "o"),             // ṓ
    ("\u{1e5c}", "R"),             // Ṝ
    ("\u{1e5d}", "r"),             // ṝ
    ("\u{1e5e}", "R"),             // Ṟ
    ("\u{1e5f}", "r"),             // ṟ
    ("\u{1e6e}", "T"),             // Ṯ
    ("\u{1e6f}", "t"),             // ṯ
    ("\u{1e72}\u{304}", "U"),      // Ṳ̄
    ("\u{1e73}\u{304}", "u"),      // ṳ̄
    ("\u{1e7a}", "U"),             // Ṻ
    ("\u{1e7b}", "u"),             // ṻ
    ("\u{1e94}", "Z"),             // Ẕ
    ("\u{1e95}", "z"),             // ẕ
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_table_is_sorted_for_lookup() {
        for w in DIACRITICS.windows(2) {
            let (a, b) = (w[0].0, w[1].0);
            let (fa, fb) = (a.chars().next().unwrap(), b.chars().next().unwrap());
            assert!(
                fa < fb || (fa == fb && a.chars().count() >= b.chars().count()),
                "{a:?} before {b:?}"
            );
        }
        assert_eq!(DIACRITICS.len(), 261);
    }

    #[test]
    fn normalize_diacritics_uses_the_table_only() {
        assert_eq!(normalize_diacritics("Zoë"), "Zoe");
        assert_eq!(normalize_diacritics("Jéssica Smith"), "Jessica Smith");
        assert_eq!(normalize_diacritics("Ærøskøbing Straße"), "AEroeskoebing Strasse");
        assert_eq!(normalize_diacritics("\u{101}\u{301}"), "a", "ā́ is one entry");
        assert_eq!(
            normalize_diacritics("\u{101}\u{304}"),
            "a\u{304}",
            "ā then a mark the table doesn't list"
        );
        assert_eq!(normalize_diacritics("a\u{331}x"), "ax");
        assert_eq!(normalize_diacritics("e\u{30A}\u{304}"), "e");
        assert_eq!(
            normalize_diacritics("œ đ þ Œ e\u{301}"),
            "œ đ þ Œ e\u{301}",
            "not in the table"
        );
        assert_eq!(normalize_diacritics("ıİłŁ"), "iIlL");
        assert_eq!(normalize_diacritics(""), "");
    }

    #[test]
    fn casing() {
        assert_eq!(to_upper("straße ǆ"), "STRAßE Ǆ");
        assert_eq!(to_lower("İSTANBUL"), "istanbul");
        assert_eq!(fold_case("RepEated").chars().count(), 8);
    }

    #[test]
    fn pcase_rules() {
        assert_eq!(
            pcase("PABLO GONSALVES (SECOND)", None),
            "Pablo Gonsalves (Second)"
        );
        assert_eq!(pcase("PINTO-DE'SILVA", Some(" '-")), "Pinto-De'Silva");
        assert_eq!(pcase("GREGORY JAMES", None), "Gregory James");
        assert_eq!(pcase("o'neil mc-donald_x", None), "O'neil Mc-Donald_X");
        assert_eq!(
            pcase("1st place", None),
            "1St Place",
            ".NET starts a word at a letter"
        );
        assert_eq!(pcase("élan vital", None), "Élan Vital");
        assert_eq!(pcase("a.b,c", Some(",")), "A.b,C");
        assert_eq!(pcase("ǆungla", None), "ǅungla");
        assert_eq!(pcase("", None), "");
    }

    #[test]
    fn encodings() {
        assert_eq!(base64_utf16le("Hello world!"), "SABlAGwAbABvACAAdwBvAHIAbABkACEA");
        assert_eq!(base64_utf16le(""), "");
        assert_eq!(base64_utf16le("a"), "YQA=");
        assert_eq!(base64_utf16le("ab"), "YQBiAA==");
        assert_eq!(base64_utf16le("😀"), "PdgA3g==");
        assert_eq!(utf8_hex("Hello world!"), "48656C6C6F20776F726C6421");
    }

    #[test]
    fn guids_are_version_4() {
        assert_eq!(guid(0, 0), "00000000-0000-4000-8000-000000000000");
        assert_eq!(guid(u64::MAX, u64::MAX), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn random_strings_meet_their_constraints() {
        let mut state = 1u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state
        };
        for _ in 0..200 {
            let s = random_string([10, 2, 2, 2, 1], "?,", &mut rnd).unwrap();
            assert_eq!(s.chars().count(), 10);
            assert!(s.chars().filter(char::is_ascii_digit).count() >= 2);
            assert!(s.chars().filter(|c| SPECIAL_CHARACTERS.contains(*c)).count() >= 2);
            assert!(s.chars().filter(char::is_ascii_uppercase).count() >= 2);
            assert!(s.chars().filter(char::is_ascii_lowercase).count() >= 1);
            assert!(!s.contains(['?', ',']));
            let s = random_string([6, 3, 0, 0, 3], "", &mut rnd).unwrap();
            assert_eq!(s.chars().filter(char::is_ascii_digit).count(), 3);
            assert_eq!(s.chars().filter(char::is_ascii_lowercase).count(), 3);
        }
        assert_eq!(random_string([0, 0, 0, 0, 0], "", &mut rnd).unwrap(), "");
        assert_eq!(random_string([256, 0, 0, 0, 0], "", &mut rnd).unwrap().len(), 256);
        assert!(random_string([257, 0, 0, 0, 0], "", &mut rnd).is_err());
        assert!(random_string([5, i64::MAX, i64::MAX, 0, 0], "", &mut rnd).is_err());
        let all = format!("{DIGITS}{CAPITALS}{LOWERS}{SPECIAL_CHARACTERS}");
        assert!(random_string([1, 0, 0, 0, 0], &all, &mut rnd).is_err());
        assert_eq!(random_string([0, 0, 0, 0, 0], &all, &mut rnd).unwrap(), "");
        assert_eq!(SPECIAL_CHARACTERS.chars().count(), 32);
    }

    #[test]
    fn cultures() {
        for ok in ["en-US", "ja-JP", "zh-Hans-CN", "de", "", "sr_Latn_RS"] {
            assert!(check_culture(ok).is_ok(), "{ok}");
        }
        for bad in ["english", "e", "en-", "en US", "a-b-c-d-e", "en-US!"] {
            assert!(check_culture(bad).is_err(), "{bad}");
        }
    }
}
