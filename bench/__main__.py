import sys

from . import aws, enos

{"aws": aws.main, "enos": enos.main}[sys.argv[1]](sys.argv[2:])
