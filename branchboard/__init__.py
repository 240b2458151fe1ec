"""branchboard: a party branch's publicity board (党支部宣传栏) from plain files."""

__version__ = "0.1.0"
