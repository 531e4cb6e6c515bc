import sys

from . import aws, enos, scale

{"aws": aws.main, "enos": enos.main, "scale": scale.main}[sys.argv[1]](sys.argv[2:])
