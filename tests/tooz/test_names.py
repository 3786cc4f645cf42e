"""The id encoding of the tooz driver: lossless, within the name rules."""
import unittest

from membership.coordination import names


class NamesTest(unittest.TestCase):

    def test_valid_ascii_names_pass_through_unchanged(self):
        for value in (b'workers', b'5b0c6d1e-9f1c-4d2a-8e51-2f0e0c9d1a77',
                      b'host.example.json', b'a:b@c_d-e'):
            self.assertEqual(value.decode(), names.encode(value))
            self.assertEqual(value, names.decode(names.encode(value)))

    def test_other_bytes_are_base64url_within_the_name_rule(self):
        for value in (b'', b'-starts-with-dash', b'has space', b'a/b?c#d',
                      '\u00e9l\u00e8ve'.encode(), bytes(range(256))[:188],
                      b'b64:looks-encoded', b'\x00\xff'):
            name = names.encode(value)
            self.assertTrue(name.startswith('b64:'), name)
            self.assertRegex(name, names.NAME)
            self.assertEqual(value, names.decode(name))

    def test_str_ids_come_back_as_bytes(self):
        self.assertEqual(b'str-id', names.decode(names.encode('str-id')))
        self.assertEqual('\u00e9'.encode(),
                         names.decode(names.encode('\u00e9')))

    def test_too_long_ids_are_refused(self):
        self.assertEqual(255, len(names.encode(b'\x00' * 188)))
        self.assertRaises(ValueError, names.encode, b'\x00' * 189)
        self.assertEqual(255, len(names.encode(b'a' * 255)))
        self.assertRaises(ValueError, names.encode, b'a' * 256)
