"""The studio for researchers: accounts, sign-in, access rules, the builder and the home pages."""
