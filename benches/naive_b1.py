#!/usr/bin/env python3
"""The naive Python projection of benchmark B1, the yardstick of issue 19.

What a user might script instead of running mtosim on B1: 5 tenants of 100,000 generated
users each, every user synchronized to every other tenant (2,000,000 accounts). For each
tenant it makes its users (dicts of the attributes mtosim's generator gives them); then, for
each other tenant, one account dict per user with the UPN cross-tenant synchronization gives
it (`alias_domain#EXT#@target.onmicrosoft.com`) and the values the default attribute mappings
write (display name, names, mail, department, job title, place, employee id, userType Member,
accountEnabled, showInAddressList). It checks nothing mtosim checks (partner policies, scope,
quotas, collisions, cycles, escrows): it is a lower bound on what a script would cost.

Plain Python 3, no packages. Run: `python3 benches/naive_b1.py [tenants] [users]`; it prints
the accounts made and the seconds taken. Measure it in the same run as B1
(`mtosim run --quiet b1.toml`, see benches/workloads.rs `b1_scenario`).
"""

import random
import sys
import time

GIVEN = ["Adele", "Alex", "Allan", "Amira", "Ana", "Bianca", "Brian", "Carlos", "Chen",
         "Christie", "Daniel", "Debra", "Diego", "Elena", "Emily", "Enrico", "Fatima", "Grady",
         "Hana", "Henrietta", "Ines", "Irvin", "Isaiah", "Johanna", "Joni", "Jonas", "Kenji",
         "Lee", "Lidia", "Lucas", "Lynne", "Marta", "Megan", "Miriam", "Nestor", "Nia", "Olga",
         "Omar", "Patti", "Pradeep", "Priya", "Rafael", "Sakura", "Sara", "Sofia", "Tomas",
         "Valentina", "Wei", "Yusuf", "Zoe"]
SURNAME = ["Vance", "Wilber", "Deyoung", "Ahmed", "Silva", "Rossi", "Johnson", "Mendoza", "Li",
           "Cline", "Novak", "Berg", "Torres", "Petrova", "Clark", "Ferrari", "Haddad", "Archie",
           "Sato", "Cassidy", "Garcia", "Muller", "Thomas", "Lorenz", "Sherman", "Larsen",
           "Tanaka", "Gonzalez", "Kowalski", "Fischer", "Robinson", "Strnad", "Bowen",
           "Goldberg", "Sotelo", "Okafor", "Ivanova", "Khan", "Fernandez", "Patel", "Iyer",
           "Costa", "Nakamura", "Lindqvist", "Moreau", "Dvorak", "Wang", "Demir", "Nguyen",
           "Hughes"]
DEPARTMENTS = {
    "Sales": ["Account Executive", "Sales Manager", "Sales Representative"],
    "Marketing": ["Marketing Manager", "Content Strategist", "Brand Specialist"],
    "Engineering": ["Software Engineer", "Senior Software Engineer", "Engineering Manager"],
    "Finance": ["Financial Analyst", "Controller", "Accountant"],
    "Human Resources": ["HR Generalist", "Recruiter", "HR Manager"],
    "Operations": ["Operations Analyst", "Logistics Coordinator", "Operations Manager"],
    "Legal": ["Counsel", "Paralegal", "Compliance Officer"],
    "IT": ["Systems Administrator", "Help Desk Technician", "IT Manager"],
}
PLACES = [("United States", "Seattle", "US"), ("United States", "New York", "US"),
          ("United Kingdom", "London", "GB"), ("Germany", "Munich", "DE"),
          ("Czechia", "Prague", "CZ"), ("France", "Paris", "FR"), ("Japan", "Tokyo", "JP"),
          ("India", "Bengaluru", "IN"), ("Brazil", "Sao Paulo", "BR"),
          ("Canada", "Toronto", "CA")]


def generate(tenant, count, rng):
    """The tenant's users: unique UPNs on `tenant.com` and the generator's attributes."""
    users = []
    seen = {}
    for i in range(count):
        given = rng.choice(GIVEN)
        surname = rng.choice(SURNAME)
        dept = rng.choice(list(DEPARTMENTS))
        title = rng.choice(DEPARTMENTS[dept])
        country, city, loc = rng.choice(PLACES)
        base = f"{given.lower()}.{surname.lower()}"
        n = seen.get(base, 0) + 1
        seen[base] = n
        alias = base if n == 1 else f"{base}{n}"
        upn = f"{alias}@{tenant}.com"
        users.append({
            "userPrincipalName": upn,
            "displayName": f"{given} {surname}",
            "givenName": given,
            "surname": surname,
            "mail": upn,
            "mailNickname": alias,
            "department": dept,
            "jobTitle": title,
            "country": country,
            "city": city,
            "usageLocation": loc,
            "employeeId": f"E{i + 1:06d}",
            "accountEnabled": True,
            "userType": "Member",
        })
    return users


def project(users, target):
    """The accounts synchronization would make in `target` for `users`."""
    accounts = []
    for u in users:
        upn = u["userPrincipalName"]
        accounts.append({
            "userPrincipalName": upn.replace("@", "_") + f"#EXT#@{target}.onmicrosoft.com",
            "displayName": u["displayName"],
            "givenName": u["givenName"],
            "surname": u["surname"],
            "mail": u["mail"],
            "mailNickname": u["mailNickname"],
            "department": u["department"],
            "jobTitle": u["jobTitle"],
            "country": u["country"],
            "city": u["city"],
            "usageLocation": u["usageLocation"],
            "employeeId": u["employeeId"],
            "accountEnabled": u["accountEnabled"],
            "userType": "Member",
            "showInAddressList": True,
            "creationType": "Invitation",
        })
    return accounts


def main():
    tenants = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    start = time.perf_counter()
    rng = random.Random(1)
    names = [f"t{i}" for i in range(1, tenants + 1)]
    users = {t: generate(t, count, rng) for t in names}
    accounts = {t: [] for t in names}
    for s in names:
        for t in names:
            if t != s:
                accounts[t].extend(project(users[s], t))
    made = sum(len(a) for a in accounts.values())
    print(f"naive B1: {made} accounts in {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
