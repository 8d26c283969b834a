"""The law language: grammar, typed AST, checks and serialisation.

Not built yet: it arrives with the law-language issue (see the README's status table).
"""
